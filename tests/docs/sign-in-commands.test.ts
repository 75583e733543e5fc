/**
 * The sign-in commands the docs give clients and staff, run as written with Debian's real AWS CLI
 * (/usr/bin/aws) against a local stand-in for the Cognito user-pool endpoint (--endpoint-url is
 * the only thing added). The CLI parses and validates each command against its own service
 * model; the stand-in then holds each request to what Cognito documents for it (the
 * operation, the required ChallengeResponses, the session of the step before, unsigned calls for
 * the client flows, signed ones for staff) and answers like Cognito, so the shell plumbing
 * between the steps (--query, read, jq, curl) is exercised too.
 */
import { expect } from "chai";
import { spawn } from "child_process";
import { once } from "events";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";

const AWS = "/usr/bin/aws";
const ROOT = path.join(__dirname, "..", "..");
const APP_CLIENT = "5tkq0example0appclient0id";
const POOL_ID = "ap-southeast-2_AbCdEf123";
const TEMPORARY = "temporary-password";
const TOKENS = { IdToken: "id-token-after-mfa-setup", AccessToken: "access-token", RefreshToken: "refresh-token-0123456789", ExpiresIn: 3600, TokenType: "Bearer" };
const REFRESHED_ID_TOKEN = "id-token-from-refresh";

interface Call { readonly target: string; readonly signed: boolean; readonly body: any }

/** The shell blocks of `file` that `take` selects, in document order. */
function shellBlocks(file: string, take: (block: string, before: string) => boolean): string[] {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].filter((m) => take(m[1], text.slice(0, m.index))).map((m) => m[1]);
}
const inSection = (heading: string) => (_: string, before: string) => {
    const last = [...before.matchAll(/^## .*$/gm)].pop();
    return last?.[0] === heading;
};

/** Cognito's answers, held to the documented request of each step; sessions chain step to step (>= 20 characters, as the CLI checks). */
class CognitoStandIn {
    readonly calls: Call[] = [];
    private sessions = new Map<string, string>();
    private step = 0;

    private session(stage: string): string {
        const value = `session-${stage}-${String(++this.step).padStart(12, "0")}`;
        this.sessions.set(stage, value);
        return value;
    }

    private expectSession(body: any, stage: string): void {
        if (body.Session !== this.sessions.get(stage)) throw new Error(`Session is not the one the ${stage} step returned`);
    }

    answer(target: string, body: any): unknown {
        const op = target.replace("AWSCognitoIdentityProviderService.", "");
        if (["InitiateAuth", "RespondToAuthChallenge"].includes(op) && body.ClientId !== APP_CLIENT) throw new Error("ClientId is not the app client");
        const responses = body.ChallengeResponses ?? {};
        switch (op) {
            case "InitiateAuth":
                if (body.AuthFlow === "USER_PASSWORD_AUTH") {
                    if (!body.AuthParameters?.USERNAME || !body.AuthParameters?.PASSWORD) throw new Error("USER_PASSWORD_AUTH needs USERNAME and PASSWORD");
                    return body.AuthParameters.PASSWORD === TEMPORARY
                        ? { ChallengeName: "NEW_PASSWORD_REQUIRED", Session: this.session("new-password"), ChallengeParameters: {} }
                        : { ChallengeName: "SOFTWARE_TOKEN_MFA", Session: this.session("mfa"), ChallengeParameters: {} };
                }
                if (body.AuthFlow === "REFRESH_TOKEN_AUTH") {
                    if (body.AuthParameters?.REFRESH_TOKEN !== TOKENS.RefreshToken) throw new Error("REFRESH_TOKEN is not the issued refresh token");
                    // No new refresh token without rotation.
                    return { AuthenticationResult: { IdToken: REFRESHED_ID_TOKEN, AccessToken: "access-2", ExpiresIn: 3600, TokenType: "Bearer" }, ChallengeParameters: {} };
                }
                throw new Error(`unexpected AuthFlow ${body.AuthFlow}`);
            case "RespondToAuthChallenge":
                if (!responses.USERNAME) throw new Error("every challenge response needs USERNAME");
                if (body.ChallengeName === "NEW_PASSWORD_REQUIRED") {
                    this.expectSession(body, "new-password");
                    if (!responses.NEW_PASSWORD) throw new Error("NEW_PASSWORD_REQUIRED needs NEW_PASSWORD");
                    return { ChallengeName: "MFA_SETUP", Session: this.session("mfa-setup"), ChallengeParameters: { MFAS_CAN_SETUP: "[\"SOFTWARE_TOKEN_MFA\"]" } };
                }
                if (body.ChallengeName === "MFA_SETUP") {
                    this.expectSession(body, "verified");
                    return { AuthenticationResult: TOKENS, ChallengeParameters: {} };
                }
                if (body.ChallengeName === "SOFTWARE_TOKEN_MFA") {
                    this.expectSession(body, "mfa");
                    if (!/^[0-9]{6}$/.test(responses.SOFTWARE_TOKEN_MFA_CODE ?? "")) throw new Error("SOFTWARE_TOKEN_MFA needs a 6-digit SOFTWARE_TOKEN_MFA_CODE");
                    return { AuthenticationResult: { ...TOKENS, IdToken: "id-token-after-mfa" }, ChallengeParameters: {} };
                }
                throw new Error(`unexpected ChallengeName ${body.ChallengeName}`);
            case "AssociateSoftwareToken":
                if (body.AccessToken && body.Session) throw new Error("AccessToken or Session, not both");
                this.expectSession(body, "mfa-setup");
                return { SecretCode: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", Session: this.session("associated") };
            case "VerifySoftwareToken":
                this.expectSession(body, "associated");
                if (!/^[0-9]{6}$/.test(body.UserCode ?? "")) throw new Error("UserCode must be 6 digits");
                return { Status: "SUCCESS", Session: this.session("verified") };
            case "AdminCreateUser":
                if (body.UserPoolId !== POOL_ID || !body.Username) throw new Error("AdminCreateUser needs the pool id and a Username");
                return { User: { Username: body.Username, Attributes: body.UserAttributes, UserStatus: "FORCE_CHANGE_PASSWORD", Enabled: true } };
            default:
                throw new Error(`unexpected operation ${op}`);
        }
    }
}

async function serve(standIn: CognitoStandIn, api: string[]): Promise<{ url: string; close(): Promise<void> }> {
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c) => chunks.push(c));
        req.on("end", () => {
            if (req.method === "GET") {
                // The API: only the refreshed ID token gets in.
                api.push(`${req.url} ${req.headers.authorization}`);
                const ok = req.headers.authorization === `Bearer ${REFRESHED_ID_TOKEN}`;
                res.writeHead(ok ? 200 : 401, { "content-type": "application/json" }).end(ok ? '{"items":[]}' : '{"message":"Unauthorized"}');
                return;
            }
            const target = String(req.headers["x-amz-target"]);
            const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
            standIn.calls.push({ target, signed: Boolean(req.headers.authorization), body });
            try {
                res.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(standIn.answer(target, body)));
            } catch (error) {
                res.writeHead(400, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify({ __type: "InvalidParameterException", message: (error as Error).message }));
            }
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Runs the blocks in one bash (variables carry over) in a scratch directory: `pulumi stack output`
 * answers like the stack, `aws` is the real CLI pointed at the stand-in, and no AWS credentials
 * exist unless `credentials` (a client has none).
 */
async function runBlocks(blocks: string[], endpoint: string, cwd: string, credentials = false): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const prelude = [
        "set -euo pipefail",
        `pulumi() { case "$*" in "stack output region") echo ap-southeast-2;; "stack output userPoolClientId") echo ${APP_CLIENT};; `
            + `"stack output apiUrl") echo ${endpoint};; "stack output userPoolId") echo ${POOL_ID};; *) echo "unexpected: pulumi $*" >&2; return 1;; esac; }`,
        `aws() { ${AWS} --endpoint-url ${endpoint} "$@"; }`,
    ].join("\n");
    const env: NodeJS.ProcessEnv = {
        PATH: "/usr/bin:/bin", HOME: cwd, AWS_CONFIG_FILE: path.join(cwd, "none"), AWS_SHARED_CREDENTIALS_FILE: path.join(cwd, "none"),
        AWS_EC2_METADATA_DISABLED: "true", AWS_PAGER: "",
        ...(credentials ? { AWS_ACCESS_KEY_ID: "AKIAEXAMPLESTAFF", AWS_SECRET_ACCESS_KEY: "staff-secret", AWS_DEFAULT_REGION: "ap-southeast-2" } : {}),
    };
    // Asynchronous: the stand-in answers from this process's event loop.
    const child = spawn("bash", ["-c", `${prelude}\n${blocks.join("\n")}`], { cwd, env, timeout: 180_000 });
    let stdout = "", stderr = "";
    child.stdout.on("data", (c) => { stdout += c; });
    child.stderr.on("data", (c) => { stderr += c; });
    const [status] = await once(child, "close");
    return { status, stdout, stderr };
}

describe("docs: the Cognito sign-in commands, with the real AWS CLI", function () {
    this.timeout(300_000);
    let standIn: CognitoStandIn;
    let server: Awaited<ReturnType<typeof serve>>;
    let scratch: string;
    const api: string[] = [];

    before(async function () {
        if (!fs.existsSync(AWS)) {
            console.log(`      skipped: ${AWS} is not installed (apt-get install -y awscli)`);
            this.skip();
        }
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-sign-in-"));
    });
    beforeEach(async () => { standIn = new CognitoStandIn(); api.length = 0; server = await serve(standIn, api); });
    afterEach(async () => { await server?.close(); });
    after(() => { if (scratch) fs.rmSync(scratch, { recursive: true, force: true }); });

    const targets = () => standIn.calls.map((c) => `${c.target.replace("AWSCognitoIdentityProviderService.", "")}${c.body.ChallengeName ? ` ${c.body.ChallengeName}` : ""}${c.body.AuthFlow ? ` ${c.body.AuthFlow}` : ""}`);

    it("docs/api.md: first sign-in with MFA setup, then the refresh-token flow, unsigned, each step with the session of the one before", async () => {
        const blocks = shellBlocks("docs/api.md", inSection("## Signing in"));
        expect(blocks, "outputs, first sign-in, refresh").to.have.length(3);
        const run = await runBlocks(blocks, server.url, scratch);
        expect(run.status, `${run.stderr}\n${run.stdout}`).to.equal(0);
        expect(targets()).to.deep.equal([
            "InitiateAuth USER_PASSWORD_AUTH", "RespondToAuthChallenge NEW_PASSWORD_REQUIRED", "AssociateSoftwareToken", "VerifySoftwareToken",
            "RespondToAuthChallenge MFA_SETUP", "InitiateAuth REFRESH_TOKEN_AUTH",
        ]);
        expect(standIn.calls.map((c) => c.signed), "clients have no AWS credentials: these calls are unsigned").to.deep.equal(standIn.calls.map(() => false));
        expect(standIn.calls[0].body.AuthParameters).to.deep.equal({ USERNAME: "alice@client.example", PASSWORD: TEMPORARY });
        expect(standIn.calls[1].body.ChallengeResponses).to.deep.equal({ USERNAME: "alice@client.example", NEW_PASSWORD: "a-long-new-passphrase-1!" });
        expect(standIn.calls[3].body).to.include({ UserCode: "123456", FriendlyDeviceName: "alice-laptop" });
        expect(JSON.parse(fs.readFileSync(path.join(scratch, "tokens.json"), "utf8")), "tokens.json holds the AuthenticationResult").to.deep.equal(TOKENS);
        expect(run.stdout).to.include("otpauth://totp/mDetect:alice@client.example?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=mDetect");
        expect(api, "the job calls the API with the refreshed ID token").to.deep.equal([`/v1/findings?severity=alert&from=2026-01-01 Bearer ${REFRESHED_ID_TOKEN}`]);
    });

    it("README: staff create a user bound to a client (signed), and a client signs in with its TOTP code (unsigned)", async () => {
        const [create, signIn, ...rest] = shellBlocks("README.md", (block) => block.includes("aws cognito-idp"));
        expect(rest).to.deep.equal([]);
        const staff = await runBlocks([create], server.url, scratch, true);
        expect(staff.status, staff.stderr).to.equal(0);
        const client = await runBlocks([signIn, 'echo "ID_TOKEN=$ID_TOKEN"'], server.url, scratch);
        expect(client.status, client.stderr).to.equal(0);
        expect(targets()).to.deep.equal(["AdminCreateUser", "InitiateAuth USER_PASSWORD_AUTH", "RespondToAuthChallenge SOFTWARE_TOKEN_MFA"]);
        expect(standIn.calls.map((c) => c.signed)).to.deep.equal([true, false, false]);
        expect(standIn.calls[0].body.UserAttributes).to.deep.include({ Name: "custom:client_id", Value: "0b6e3a52-4a3e-4c55-9d1c-3f0e1c2d3b4a" });
        expect(client.stdout).to.include("ID_TOKEN=id-token-after-mfa\n");
    });

    it("every cognito-idp operation the docs name exists in the real CLI", async () => {
        const text = ["README.md", "docs/api.md"].map((f) => fs.readFileSync(path.join(ROOT, f), "utf8")).join("\n");
        const named = [...new Set([
            ...[...text.matchAll(/aws cognito-idp ([a-z-]+)/g)].map((m) => m[1]),
            ...[...text.matchAll(/`((?:admin-|associate-|verify-|respond-|initiate-|revoke-)[a-z-]+)`/g)].map((m) => m[1]),
        ])];
        expect(named).to.include.members(["initiate-auth", "respond-to-auth-challenge", "associate-software-token", "verify-software-token", "revoke-token", "admin-user-global-sign-out"]);
        // All at once: each is a CLI start-up (about 1.5 s of Python), and the machine has 2 cores.
        const skeletons = await Promise.all(named.map(async (op) => {
            const child = spawn(AWS, ["cognito-idp", op, "--generate-cli-skeleton"], { env: { PATH: "/usr/bin:/bin", HOME: scratch } });
            let stderr = "";
            child.stderr.on("data", (chunk) => { stderr += chunk; });
            child.stdout.resume();
            const [status] = await once(child, "close");
            return { op, status, stderr };
        }));
        for (const { op, status, stderr } of skeletons) expect(status, `${op}: ${stderr}`).to.equal(0);
    });
});
