/**
 * A tiny router: API Gateway has already matched the route, so the operation is looked up by the
 * event's `routeKey` ("GET /v1/findings/{id}/download"). Every route needs a verified caller.
 * Each operation declares its query parameters, body and responses: the router refuses unknown
 * query parameters and parses the known ones, and the same declarations generate the OpenAPI
 * document (openapi.ts), so the contract cannot drift from the code.
 * Known failures become problem responses; anything else is logged with the request id and
 * answered with a 500 carrying only that id.
 *
 * Throttling (429) happens before the handler: API Gateway's stage limits answer it with their
 * own body, `{"message":"Too Many Requests"}`, which HTTP APIs cannot customise.
 */
import { isRegistryError } from "../registry/errors";
import { ApiEvent, ApiResult, PROBLEMS, ProblemType, isHttpProblem, problem } from "./http";
import { Caller, callerOf } from "./identity";
import type { JsonSchema } from "./schemas";
import { QuerySpec, parseQuery } from "./validate";

export interface Request<D> {
    readonly event: ApiEvent;
    readonly caller: Caller;
    readonly deps: D;
    /** The declared query parameters, parsed; absent ones are undefined. */
    readonly query: Readonly<Record<string, unknown>>;
}
export type RouteHandler<D> = (request: Request<D>) => Promise<ApiResult>;

/** A success response: its status, what it means, and its body (JSON unless `contentType` says otherwise). */
export interface SuccessResponse {
    readonly status: number;
    readonly description: string;
    readonly schema: JsonSchema;
    readonly contentType?: string;
    readonly headers?: Readonly<Record<string, string>>;
}

export interface Operation<D> {
    readonly summary: string;
    /** Who may call it: any signed-in user bound to a client, or the staff group. */
    readonly access: "client" | "staff" | "any";
    readonly query?: QuerySpec;
    readonly body?: JsonSchema;
    readonly responses: readonly SuccessResponse[];
    /** Problem statuses this operation can answer besides the ones every operation can (400, 401, 403, 404, 500, 503), with when. */
    readonly problems?: Readonly<Record<number, string>>;
    readonly handle: RouteHandler<D>;
}
export type Routes<D> = Readonly<Record<string, Operation<D>>>;

/** Seconds a caller is asked to wait when the registry is busy: long enough for a connection to free up. */
export const RETRY_AFTER_SECONDS = "5";

/** Registry errors by stable code: their messages name the field or rule, never SQL, so they are safe to return. */
const REGISTRY_PROBLEMS: Record<string, ProblemType> = {
    invalid_argument: PROBLEMS.invalidRequest,
    constraint_violation: PROBLEMS.invalidRequest,
    unknown_reference: PROBLEMS.invalidRequest,
    duplicate: PROBLEMS.conflict,
    duplicate_serial: PROBLEMS.conflict,
    overlapping_deployment: PROBLEMS.conflict,
    in_use: PROBLEMS.conflict,
    not_found: PROBLEMS.notFound,
};

export interface Logger {
    error(message: string, fields: Record<string, unknown>): void;
}

function withHeader(result: ApiResult, name: string, value: string): ApiResult {
    return { ...result, headers: { ...result.headers, [name]: value } };
}

/** `log` defaults to the Lambda console (JSON log format), looked up at call time so the closure serialises. */
export function router<D>(routes: Routes<D>, deps: () => Promise<D>, log?: Logger) {
    return async (event: ApiEvent): Promise<ApiResult> => {
        const requestId = event.requestContext?.requestId ?? "unknown";
        try {
            const caller = callerOf(event);
            const operation = Object.prototype.hasOwnProperty.call(routes, event.routeKey) ? routes[event.routeKey] : undefined;
            if (!operation) return problem(PROBLEMS.notFound, "No such route.");
            const query = parseQuery(event, operation.query ?? {});
            return await operation.handle({ event, caller, deps: await deps(), query });
        } catch (error) {
            // Name-based checks: `instanceof` is false for these classes once the closure is serialized.
            if (isHttpProblem(error)) return problem(error.kind, error.detail);
            if (isRegistryError(error) && REGISTRY_PROBLEMS[error.code]) {
                return problem(REGISTRY_PROBLEMS[error.code], `${error.message}.`, { code: error.code });
            }
            // Message and name only: stack traces stay out of responses and logs carry no credentials.
            (log ?? console).error("request failed", {
                requestId, routeKey: event.routeKey, name: (error as Error)?.name, code: (error as { code?: unknown })?.code, message: (error as Error)?.message,
            });
            if (isRegistryError(error)) {
                const busy = problem(PROBLEMS.unavailable, "The registry is busy; retry shortly.", { requestId });
                return withHeader(busy, "retry-after", RETRY_AFTER_SECONDS);
            }
            return problem(PROBLEMS.internal, "Something went wrong on our side. Quote the request id if you report it.", { requestId });
        }
    };
}
