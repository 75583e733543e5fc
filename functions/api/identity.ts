/**
 * Who is calling, taken ONLY from the claims API Gateway's JWT authorizer verified
 * (`requestContext.authorizer.jwt.claims`), never from the path, query or body.
 *
 * The authorizer passes every claim as a string; an array claim such as `cognito:groups`
 * arrives as "[staff analysts]" (brackets, space separated). Cognito group names cannot hold
 * whitespace, so splitting on it is exact.
 */
import { ApiEvent, HttpProblem, PROBLEMS } from "./http";
import { ID_PATTERN } from "./validate";

/** The user pool's custom attribute binding a user to one client (immutable, set by staff). */
export const CLIENT_ID_CLAIM = "custom:client_id";
export const GROUPS_CLAIM = "cognito:groups";
/** The Cognito group whose members may administer the registry and request upload URLs. */
export const STAFF_GROUP = "staff";

export interface Caller {
    /** The client the caller belongs to; undefined for staff without a client. */
    readonly clientId?: string;
    readonly staff: boolean;
    /** `sub`, for logs only. */
    readonly subject: string;
}

export function parseGroups(value: unknown): string[] {
    if (Array.isArray(value)) return value.filter((g): g is string => typeof g === "string");
    if (typeof value !== "string") return [];
    const inner = value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value;
    return inner.split(/\s+/).filter((g) => g !== "");
}

/** The verified caller, or a 401 when the authorizer context is missing or incomplete. */
export function callerOf(event: ApiEvent): Caller {
    const claims = event.requestContext.authorizer?.jwt?.claims;
    const subject = claims?.sub;
    // The ID token carries the custom attribute and the groups; an access token carries neither.
    if (!claims || typeof subject !== "string" || subject === "" || claims.token_use !== "id") {
        throw new HttpProblem(PROBLEMS.unauthenticated, "Sign in and send the ID token as a Bearer token.");
    }
    // Client ids are registry ids; a malformed claim binds the user to no client at all.
    const rawClient = claims[CLIENT_ID_CLAIM];
    const clientId = typeof rawClient === "string" && ID_PATTERN.test(rawClient) ? rawClient : undefined;
    return { clientId, staff: parseGroups(claims[GROUPS_CLAIM]).includes(STAFF_GROUP), subject };
}

/** The caller's client id, or 403 for a user the pool has not bound to a client. */
export function requireClient(caller: Caller): string {
    if (!caller.clientId) throw new HttpProblem(PROBLEMS.forbidden, "Your user is not bound to a client.");
    return caller.clientId;
}

export function requireStaff(caller: Caller): void {
    if (!caller.staff) throw new HttpProblem(PROBLEMS.forbidden, `This route is for the ${STAFF_GROUP} group.`);
}
