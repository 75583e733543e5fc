/**
 * The HTTP layer of the client API: the slice of the API Gateway v2 (payload format 2.0) event the
 * handlers read, JSON responses, and RFC 9457 problem responses.
 *
 * Problem bodies are built from fixed strings only: a problem never echoes request input, so two
 * requests that fail for the same reason get byte-identical responses whatever ids they carried.
 */
import { LambdaError, isNamedError } from "../errors";

/** What the handlers read from an API Gateway HTTP API event (payload format 2.0). */
export interface ApiEvent {
    readonly routeKey: string;
    readonly rawPath?: string;
    readonly pathParameters?: Record<string, string | undefined>;
    readonly queryStringParameters?: Record<string, string | undefined>;
    readonly body?: string;
    readonly isBase64Encoded?: boolean;
    readonly requestContext: {
        readonly requestId: string;
        readonly authorizer?: { readonly jwt?: { readonly claims?: Record<string, unknown> } };
    };
}

export interface ApiResult {
    readonly statusCode: number;
    readonly headers: Record<string, string>;
    readonly body: string;
}

/** Responses carry tenant data or short-lived URLs: nothing may cache them. */
const COMMON_HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff" };

export function json(statusCode: number, body: unknown): ApiResult {
    return { statusCode, headers: { "content-type": "application/json", ...COMMON_HEADERS }, body: JSON.stringify(body) };
}

/** An RFC 9457 problem type: `type` is a stable identifier clients can switch on. */
export interface ProblemType {
    readonly status: number;
    readonly type: string;
    readonly title: string;
}

const TYPE_BASE = "https://mdetect.com.au/problems/";

function problemType(status: number, slug: string, title: string): ProblemType {
    return { status, type: `${TYPE_BASE}${slug}`, title };
}

export const PROBLEMS = {
    invalidRequest: problemType(400, "invalid-request", "Invalid request"),
    unauthenticated: problemType(401, "unauthenticated", "Unauthenticated"),
    forbidden: problemType(403, "forbidden", "Forbidden"),
    notFound: problemType(404, "not-found", "Not found"),
    conflict: problemType(409, "conflict", "Conflict"),
    internal: problemType(500, "internal-error", "Internal error"),
    unavailable: problemType(503, "unavailable", "Service unavailable"),
} as const;

export function problem(kind: ProblemType, detail: string, extra: Record<string, string> = {}): ApiResult {
    return {
        statusCode: kind.status,
        headers: { "content-type": "application/problem+json", ...COMMON_HEADERS },
        body: JSON.stringify({ type: kind.type, title: kind.title, status: kind.status, detail, ...extra }),
    };
}

/** Thrown by handlers and validators; the router turns it into a problem response. */
export class HttpProblem extends LambdaError {
    constructor(readonly kind: ProblemType, readonly detail: string) {
        super("HttpProblem", `${kind.status} ${detail}`);
    }
}

export const isHttpProblem = (error: unknown): error is HttpProblem =>
    isNamedError(error, "HttpProblem") && typeof (error as { kind?: { status?: unknown } }).kind?.status === "number";

export const badRequest = (detail: string): HttpProblem => new HttpProblem(PROBLEMS.invalidRequest, detail);

/**
 * The one not-found answer for a resource kind. Used both when the row does not exist and when it
 * belongs to another client, so the two cases cannot be told apart.
 */
export const notFound = (what: string): HttpProblem => new HttpProblem(PROBLEMS.notFound, `No ${what} with this id is visible to you.`);
