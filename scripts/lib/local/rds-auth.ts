/**
 * RDS IAM database authentication, as the RDS front checks it. The client's password is an
 * authentication token: a SigV4-presigned `GET https://<host>:<port>/?Action=connect&DBUser=<user>`
 * for service `rds-db`, valid 15 minutes (AWS docs, "Connecting to your DB instance using IAM
 * authentication"). It is accepted when the signature verifies for an issued session, it has not
 * expired, it was signed for this endpoint and this user, and IAM allows the caller's role
 * `rds-db:connect` on `arn:aws:rds-db:<region>:<account>:dbuser:<DbiResourceId>/<user>`.
 */
import { Authorizer } from "./iam";
import { Principal, Principals } from "./principals";
import { verifySigV4 } from "./sigv4";

/** What RDS answers every refused IAM sign-in with (it never says which check failed). */
export const ACCESS_DENIED = { code: 1045, sqlState: "28000" } as const;

export interface DbEndpoint {
    /** host:port the tokens must be signed for. */
    readonly hostPort: string;
    readonly region: string;
    readonly account: string;
    readonly resourceId: string;
}

export type TokenCheck = { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly reason: string };

export function dbUserArn(endpoint: DbEndpoint, user: string): string {
    return `arn:aws:rds-db:${endpoint.region}:${endpoint.account}:dbuser:${endpoint.resourceId}/${user}`;
}

export async function checkAuthToken(token: string, user: string, endpoint: DbEndpoint, principals: Principals, authorizer: Authorizer, now: () => number = Date.now): Promise<TokenCheck> {
    let url: URL;
    try { url = new URL(`https://${token}`); } catch { return { ok: false, reason: "the password is not an RDS authentication token" }; }
    if (url.host !== endpoint.hostPort || url.pathname !== "/") return { ok: false, reason: `token signed for ${url.host}${url.pathname}, not ${endpoint.hostPort}` };
    if (url.searchParams.get("Action") !== "connect") return { ok: false, reason: "token is not for Action=connect" };
    if (url.searchParams.get("DBUser") !== user) return { ok: false, reason: `token is for database user ${url.searchParams.get("DBUser")}, not ${user}` };
    if (!url.searchParams.has("X-Amz-Signature")) return { ok: false, reason: "token carries no signature" };
    const verified = await verifySigV4({ method: "GET", path: "/", query: url.searchParams, headers: { host: url.host }, body: Buffer.alloc(0) }, principals, now);
    if (!verified.ok) return { ok: false, reason: `${verified.code}: ${verified.message}` };
    if (verified.service !== "rds-db" || verified.region !== endpoint.region) return { ok: false, reason: `token signed for ${verified.service} in ${verified.region}` };
    const resource = dbUserArn(endpoint, user);
    const decision = await authorizer.authorize({ principal: verified.principal, action: "rds-db:connect", resource });
    if (!decision.allowed) return { ok: false, reason: `${verified.principal.sessionArn} is not authorized to perform rds-db:connect on ${resource} (${decision.result})` };
    return { ok: true, principal: verified.principal };
}
