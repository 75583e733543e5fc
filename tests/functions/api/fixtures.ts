/**
 * API Gateway HTTP API (payload format 2.0) events as the JWT authorizer delivers them: every
 * claim a string, `cognito:groups` as "[staff]" (bracketed, space separated), plus an
 * independent SigV4 check of presigned URLs (s3rver does not verify signatures).
 */
import { createHash, createHmac } from "crypto";
import type { Pool } from "mysql2/promise";
import type { ApiEvent, ApiResult } from "../../../functions/api/http";
import * as reg from "../../../functions/registry";
import { World, buildWorld, t } from "../registry/fixtures";

export const REGION = "ap-southeast-2";
export const POOL_ID = `${REGION}_AbCdEf123`;
export const APP_CLIENT_ID = "5tkq0example0appclient0id";
export const CREDENTIALS = { accessKeyId: "AKIAEXAMPLEAPI", secretAccessKey: "test-secret-key", sessionToken: "test-session-token" };

export type Claims = Record<string, string>;

/** The claims of a Cognito ID token as the authorizer passes them on (strings only). */
export function claims(options: { clientId?: string; groups?: string[]; sub?: string; tokenUse?: string } = {}): Claims {
    const c: Claims = {
        sub: options.sub ?? "7d8ca528-4931-4254-9273-ea5ee853f271",
        iss: `https://cognito-idp.${REGION}.amazonaws.com/${POOL_ID}`,
        aud: APP_CLIENT_ID,
        token_use: options.tokenUse ?? "id",
        auth_time: "1767225600",
        iat: "1767225600",
        exp: "1767229200",
        email: "user@example.com",
        email_verified: "true",
        "cognito:username": options.sub ?? "7d8ca528-4931-4254-9273-ea5ee853f271",
        event_id: "b7f1c1d0-0000-4000-8000-000000000000",
        jti: "0f0e0d0c-0000-4000-8000-000000000000",
        origin_jti: "0a0b0c0d-0000-4000-8000-000000000000",
    };
    if (options.clientId !== undefined) c["custom:client_id"] = options.clientId;
    if (options.groups) c["cognito:groups"] = `[${options.groups.join(" ")}]`;
    return c;
}

export interface EventOptions {
    readonly claims?: Claims;
    readonly pathParameters?: Record<string, string>;
    readonly query?: Record<string, string>;
    readonly body?: unknown;
    readonly requestId?: string;
}

/** An HTTP API event for `routeKey` ("GET /v1/findings/{id}/download"); rawPath filled from the path parameters. */
export function apiEvent(routeKey: string, options: EventOptions = {}): ApiEvent {
    const [method, template] = routeKey.split(" ");
    const rawPath = template.replace(/\{(\w+)\}/g, (_, name) => options.pathParameters?.[name] ?? "");
    const query = options.query ?? {};
    return {
        version: "2.0",
        routeKey,
        rawPath,
        rawQueryString: new URLSearchParams(query).toString(),
        headers: { authorization: "Bearer eyJ.redacted.sig", "content-type": "application/json" },
        queryStringParameters: Object.keys(query).length ? query : undefined,
        pathParameters: options.pathParameters,
        body: options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body),
        isBase64Encoded: false,
        requestContext: {
            accountId: "123456789012",
            apiId: "a1b2c3d4e5",
            domainName: "a1b2c3d4e5.execute-api.ap-southeast-2.amazonaws.com",
            http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "curl/8.5.0" },
            requestId: options.requestId ?? "Xq1c3gAAAEEEAbc=",
            routeKey,
            stage: "$default",
            time: "01/Jan/2026:00:00:00 +0000",
            timeEpoch: 1767225600000,
            authorizer: options.claims ? { jwt: { claims: options.claims, scopes: null } } : undefined,
        },
    } as ApiEvent;
}

export function body(result: ApiResult): any {
    return JSON.parse(result.body);
}

function hmac(key: string | Buffer, data: string): Buffer {
    return createHmac("sha256", key).update(data).digest();
}

/** RFC 3986 encoding as SigV4 wants it. */
function uriEncode(value: string): string {
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Recomputes a presigned URL's SigV4 signature for `method` and the given header values, from the
 * URL's own parameters: true only if the URL was signed for exactly that method, key and headers.
 */
export function signatureMatches(url: string, method: string, headers: Record<string, string>, secretAccessKey = CREDENTIALS.secretAccessKey): boolean {
    const u = new URL(url);
    const params = [...u.searchParams.entries()].filter(([k]) => k !== "X-Amz-Signature");
    const signedHeaders = u.searchParams.get("X-Amz-SignedHeaders")!.split(";");
    const allHeaders: Record<string, string> = { host: u.host, ...headers };
    const canonicalQuery = params.map(([k, v]) => [uriEncode(k), uriEncode(v)]).sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
        .map(([k, v]) => `${k}=${v}`).join("&");
    const canonicalRequest = [
        method, u.pathname, canonicalQuery,
        signedHeaders.map((h) => `${h}:${allHeaders[h].trim()}\n`).join(""),
        signedHeaders.join(";"), "UNSIGNED-PAYLOAD",
    ].join("\n");
    const [, date, region, service] = u.searchParams.get("X-Amz-Credential")!.split("/");
    const stringToSign = ["AWS4-HMAC-SHA256", u.searchParams.get("X-Amz-Date"), `${date}/${region}/${service}/aws4_request`,
        createHash("sha256").update(canonicalRequest).digest("hex")].join("\n");
    const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), "aws4_request");
    return hmac(key, stringToSign).toString("hex") === u.searchParams.get("X-Amz-Signature");
}

/** Two clients with deployments and findings: the registry world the API tests run against. */
export interface ApiWorld extends World {
    findingsA: reg.Finding[];
    findingsB: reg.Finding[];
}

export async function buildApiWorld(pool: Pool): Promise<ApiWorld> {
    const world = await buildWorld(pool);
    const { clientA, clientB, projectA, projectA2, projectB, mine, tunnel, d1, d2 } = world;
    await reg.createDeployment(pool, { detectorId: d1.id, siteId: mine.id, projectId: projectA.id, startsAt: t("2026-01-01T00:00:00Z"), status: "active" });
    await reg.createDeployment(pool, { detectorId: d2.id, siteId: tunnel.id, projectId: projectB.id, startsAt: t("2026-01-01T00:00:00Z"), status: "active" });
    const record = async (client: reg.Client, project: reg.Project, detector: reg.Detector, day: number) => {
        const date = `2026-01-${String(day).padStart(2, "0")}`;
        const { id } = await reg.recordFinding(pool, {
            clientId: client.id, projectId: project.id, detector: { id: detector.id },
            s3Key: `findings/${client.id}/${project.id}/${detector.id}/${date}/scores.csv.gz`,
            periodStart: t(`${date}T00:00:00Z`), periodEnd: t(`${date}T01:00:00Z`), severity: day % 2 ? "alert" : "info", summary: `day ${day}`, score: 0.5,
        });
        return (await reg.getFinding(pool, client.id, id))!;
    };
    const findingsA = [];
    for (const day of [2, 3, 4, 5, 6]) findingsA.push(await record(clientA, day === 6 ? projectA2 : projectA, d1, day));
    const findingsB = [];
    for (const day of [2, 3, 7]) findingsB.push(await record(clientB, projectB, d2, day));
    return { ...world, findingsA, findingsB };
}
