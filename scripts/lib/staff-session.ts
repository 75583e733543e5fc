/**
 * Staff sign-in for the registry CLI, with plain fetch against the Cognito user pool's JSON API
 * (no SDK: two operations do not justify a dependency). USER_PASSWORD_AUTH, then the
 * SOFTWARE_TOKEN_MFA challenge the pool enforces (infra/identity.ts); the ID token is what the
 * API's JWT authorizer accepts (functions/api/identity.ts reads its claims). Tokens are cached per
 * app client in a 0600 file under the user's config directory and refreshed with the refresh token.
 *
 * Protocol: POST https://cognito-idp.<region>.amazonaws.com/ with
 * `Content-Type: application/x-amz-json-1.1` and `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`
 * (Cognito API reference, InitiateAuth / RespondToAuthChallenge); errors are 400 with `__type` and `message`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface SessionConfig {
    readonly clientId: string;
    /** The Cognito IdP endpoint; derived from the region by default. */
    readonly cognitoEndpoint: string;
}

export interface Tokens {
    readonly idToken: string;
    readonly refreshToken?: string;
    /** Epoch milliseconds when the ID token expires. */
    readonly expiresAt: number;
    readonly username: string;
}

/** A token this close to expiry is refreshed first, so it does not expire in flight. */
const EXPIRY_MARGIN_MS = 60_000;
const CACHE_FILE_MODE = 0o600;
const CACHE_DIR_MODE = 0o700;

export class SignInError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "SignInError";
    }
}

export function cognitoEndpoint(region: string): string {
    return `https://cognito-idp.${region}.amazonaws.com/`;
}

/** The user's config directory: $XDG_CONFIG_HOME, %APPDATA% on Windows, else ~/.config. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
    const base = env.XDG_CONFIG_HOME || (process.platform === "win32" ? env.APPDATA : undefined) || path.join(os.homedir(), ".config");
    return path.join(base, "mdetect");
}

export function tokenFile(clientId: string, env: NodeJS.ProcessEnv = process.env): string {
    return path.join(configDir(env), `tokens-${clientId.replace(/[^A-Za-z0-9_-]/g, "_")}.json`);
}

export function readTokens(clientId: string): Tokens | undefined {
    try {
        return JSON.parse(fs.readFileSync(tokenFile(clientId), "utf8")) as Tokens;
    } catch {
        return undefined;
    }
}

/** Written to a private temporary file, then renamed: the tokens are never readable by others, even briefly. */
export function writeTokens(clientId: string, tokens: Tokens): string {
    const file = tokenFile(clientId);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: CACHE_DIR_MODE });
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(tokens, null, 2) + "\n", { mode: CACHE_FILE_MODE });
    fs.chmodSync(temp, CACHE_FILE_MODE);
    fs.renameSync(temp, file);
    return file;
}

export function forgetTokens(clientId: string): boolean {
    const file = tokenFile(clientId);
    const existed = fs.existsSync(file);
    fs.rmSync(file, { force: true });
    return existed;
}

interface AuthResponse {
    AuthenticationResult?: { IdToken: string; RefreshToken?: string; ExpiresIn: number };
    ChallengeName?: string;
    Session?: string;
}

async function cognito(config: SessionConfig, operation: string, body: object): Promise<AuthResponse> {
    const res = await fetch(config.cognitoEndpoint, {
        method: "POST",
        headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AWSCognitoIdentityProviderService.${operation}` },
        body: JSON.stringify(body),
    }).catch((err) => {
        throw new SignInError(`cannot reach Cognito at ${config.cognitoEndpoint}: ${(err as Error).cause ?? (err as Error).message}`);
    });
    const data = await res.json().catch(() => ({})) as AuthResponse & { __type?: string; message?: string };
    if (!res.ok) {
        const type = (data.__type ?? `HTTP ${res.status}`).split("#").pop();
        throw new SignInError(`sign-in refused (${type}): ${data.message ?? res.statusText}`);
    }
    return data;
}

function tokensFrom(result: NonNullable<AuthResponse["AuthenticationResult"]>, username: string, previousRefresh?: string): Tokens {
    // A refresh answers without a new refresh token: the old one stays valid.
    return { idToken: result.IdToken, refreshToken: result.RefreshToken ?? previousRefresh, expiresAt: Date.now() + result.ExpiresIn * 1000, username };
}

/** Password sign-in with the TOTP challenge; `code()` is asked only when Cognito asks for it. */
export async function signIn(config: SessionConfig, username: string, password: string, code: () => Promise<string>): Promise<Tokens> {
    const first = await cognito(config, "InitiateAuth", {
        AuthFlow: "USER_PASSWORD_AUTH", ClientId: config.clientId, AuthParameters: { USERNAME: username, PASSWORD: password },
    });
    if (first.AuthenticationResult) return tokensFrom(first.AuthenticationResult, username);
    if (first.ChallengeName === "MFA_SETUP") {
        throw new SignInError("this user has no authenticator app yet: set one up first (README: first sign-in with MFA setup, associate-software-token / verify-software-token)");
    }
    if (first.ChallengeName === "NEW_PASSWORD_REQUIRED") {
        throw new SignInError("this user must choose a new password first (first sign-in: see the README's sign-in steps)");
    }
    if (first.ChallengeName !== "SOFTWARE_TOKEN_MFA") throw new SignInError(`unsupported sign-in challenge ${first.ChallengeName ?? "(none)"}`);
    const answer = await cognito(config, "RespondToAuthChallenge", {
        ChallengeName: "SOFTWARE_TOKEN_MFA", ClientId: config.clientId, Session: first.Session,
        ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: (await code()).trim() },
    });
    if (!answer.AuthenticationResult) throw new SignInError(`sign-in not completed: Cognito asked for ${answer.ChallengeName ?? "nothing"}`);
    return tokensFrom(answer.AuthenticationResult, username);
}

export async function refresh(config: SessionConfig, tokens: Tokens): Promise<Tokens> {
    if (!tokens.refreshToken) throw new SignInError("the session has expired: run `mdetect registry login`");
    const res = await cognito(config, "InitiateAuth", {
        AuthFlow: "REFRESH_TOKEN_AUTH", ClientId: config.clientId, AuthParameters: { REFRESH_TOKEN: tokens.refreshToken },
    }).catch((err) => {
        throw new SignInError(`the session could not be renewed (${(err as Error).message}): run \`mdetect registry login\``);
    });
    if (!res.AuthenticationResult) throw new SignInError("the session could not be renewed: run `mdetect registry login`");
    return tokensFrom(res.AuthenticationResult, tokens.username, tokens.refreshToken);
}

/** A valid ID token: the cached one, refreshed (and re-cached) when it is about to expire. */
export async function idToken(config: SessionConfig, options: { forceRefresh?: boolean } = {}): Promise<string> {
    const cached = readTokens(config.clientId);
    if (!cached) throw new SignInError("not signed in: run `mdetect registry login --username <you>`");
    if (!options.forceRefresh && cached.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return cached.idToken;
    const renewed = await refresh(config, cached);
    writeTokens(config.clientId, renewed);
    return renewed.idToken;
}
