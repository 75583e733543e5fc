/**
 * The local user pool: issues ID tokens the way Cognito does for the plan's app client
 * (iss = the authorizer's issuer, aud = the app client id, token_use = id, cognito:groups,
 * custom:client_id), signed RS256 with a key pair made at start, published as a JWKS. The
 * API's JWT authorizer verifies them with jose against that JWKS.
 */
import { createLocalJWKSet, exportJWK, generateKeyPair, JWTPayload, jwtVerify, SignJWT, JSONWebKeySet, CryptoKey } from "jose";
import { randomUUID } from "crypto";

export interface IdTokenClaims {
    readonly sub?: string;
    readonly clientId?: string;
    readonly groups?: readonly string[];
    readonly email?: string;
}

export class LocalUserPool {
    private privateKey?: CryptoKey;
    private jwks?: JSONWebKeySet;
    private readonly kid = randomUUID();

    constructor(readonly issuer: string, readonly audience: string) {}

    async start(): Promise<void> {
        const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
        this.privateKey = privateKey as CryptoKey;
        this.jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: this.kid, alg: "RS256", use: "sig" }] };
    }

    /** An ID token valid for `expiresInSeconds` from `nowMs` (wall clock: the verifier uses it too). */
    async idToken(claims: IdTokenClaims, expiresInSeconds = 3600, nowMs = Date.now(), overrides: JWTPayload = {}): Promise<string> {
        const iat = Math.floor(nowMs / 1000);
        return new SignJWT({
            token_use: "id", auth_time: iat, email: claims.email,
            ...(claims.clientId ? { "custom:client_id": claims.clientId } : {}),
            ...(claims.groups?.length ? { "cognito:groups": [...claims.groups] } : {}),
            ...overrides,
        }).setProtectedHeader({ alg: "RS256", kid: this.kid })
            .setSubject(claims.sub ?? randomUUID()).setIssuer(String(overrides.iss ?? this.issuer)).setAudience(overrides.aud ?? this.audience)
            .setIssuedAt(iat).setExpirationTime(iat + expiresInSeconds).sign(this.privateKey!);
    }

    /** What API Gateway's JWT authorizer checks: signature (JWKS), iss, aud (or client_id), exp, nbf. */
    async verify(token: string, issuer: string, audiences: readonly string[]): Promise<JWTPayload> {
        const { payload } = await jwtVerify(token, createLocalJWKSet(this.jwks!), { issuer, algorithms: ["RS256"] });
        const aud = [payload.aud ?? []].flat();
        const ok = aud.some((a) => audiences.includes(a)) || (typeof payload.client_id === "string" && audiences.includes(payload.client_id));
        if (!ok) throw new Error("audience not allowed");
        return payload;
    }
}
