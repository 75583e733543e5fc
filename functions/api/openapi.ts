/**
 * The OpenAPI 3.1 document of the client API, generated from the route tables: each operation's
 * query parameters (with their parsers), body schema and responses come from the same
 * declarations the router enforces. Statuses every operation can answer are added here, including
 * the two API Gateway answers itself, whose bodies are `{"message": ...}` rather than problem+json:
 * - 401 `{"message":"Unauthorized"}` from the JWT authorizer (missing, expired or foreign token);
 * - 429 `{"message":"Too Many Requests"}` from stage throttling.
 * (docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html, http-api-throttling.html)
 */
import { ADMIN_ROUTES } from "./admin-routes";
import { DOWNLOAD_ROUTES, READ_ROUTES } from "./client-routes";
import { CONTRACT_ROUTES } from "./contract-routes";
import { PROBLEMS } from "./http";
import { Operation, RETRY_AFTER_SECONDS, Routes } from "./router";
import { GATEWAY_MESSAGE, ID_SCHEMA, JsonSchema, PROBLEM } from "./schemas";
import { UPLOAD_ROUTES } from "./upload-routes";

/** Every route table, by the function that serves it (infra/client-api.ts deploys one function each). */
export const ROUTE_TABLES = {
    read: READ_ROUTES, download: DOWNLOAD_ROUTES, admin: ADMIN_ROUTES, upload: UPLOAD_ROUTES, contract: CONTRACT_ROUTES,
} as const;

export const API_VERSION = "1.0.0";

const problemContent = { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } };
const gatewayContent = { "application/json": { schema: { $ref: "#/components/schemas/GatewayMessage" } } };

/** Problem statuses any operation can answer, and why. */
const COMMON_PROBLEMS: Record<number, string> = {
    [PROBLEMS.invalidRequest.status]: "A parameter or the body is invalid, or a query parameter is unknown; detail says which.",
    [PROBLEMS.forbidden.status]: "Signed in, but not allowed: the user is not bound to a client, or the route is for staff.",
    [PROBLEMS.notFound.status]: "No such resource for you (also for ids other clients own), or no such route.",
    [PROBLEMS.internal.status]: "A fault on our side; quote requestId.",
};

function responsesOf(operation: Operation<unknown>): Record<string, unknown> {
    const responses: Record<string, unknown> = {};
    for (const r of operation.responses) {
        responses[String(r.status)] = {
            description: r.description,
            content: { [r.contentType ?? "application/json"]: { schema: r.schema } },
            ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([n, d]) => [n, { description: d, schema: { type: "string" } }])) } : {}),
        };
    }
    for (const [status, description] of Object.entries(COMMON_PROBLEMS)) responses[status] = { description, content: problemContent };
    for (const [status, description] of Object.entries(operation.problems ?? {})) responses[status] = { description, content: problemContent };
    responses["401"] = {
        description: "No valid ID token. API Gateway's authorizer answers {\"message\":\"Unauthorized\"} for a missing, expired or foreign token; "
            + "the function answers problem+json for a verified token that is not an ID token.",
        content: { ...gatewayContent, ...problemContent },
    };
    responses["429"] = { description: "Over the stage's rate limit; API Gateway answers {\"message\":\"Too Many Requests\"}. Retry with backoff.", content: gatewayContent };
    responses["503"] = {
        description: "The registry is busy or unreachable; retry after retry-after seconds.",
        headers: { "retry-after": { description: `Seconds to wait (${RETRY_AFTER_SECONDS}).`, schema: { type: "string" } } },
        content: problemContent,
    };
    return responses;
}

function parametersOf(path: string, operation: Operation<unknown>): unknown[] {
    const inPath = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: "path", required: true, schema: ID_SCHEMA }));
    const inQuery = Object.entries(operation.query ?? {}).map(([name, p]) => ({ name, in: "query", required: false, description: p.description,
        schema: p.defaultValue === undefined ? p.schema : { ...p.schema, default: p.defaultValue } }));
    return [...inPath, ...inQuery];
}

const operationId = (routeKey: string): string =>
    routeKey.toLowerCase().replace(/[{}]/g, "").replace(/\.json$/, "").split(/[ /.]+/).filter((s) => s !== "" && s !== "v1")
        .map((s, i) => (i === 0 ? s : s[0].toUpperCase() + s.slice(1))).join("");

export function openApiDocument(tables: Readonly<Record<string, Routes<any>>> = ROUTE_TABLES): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const table of Object.values(tables)) {
        for (const [routeKey, operation] of Object.entries(table)) {
            const [method, path] = routeKey.split(" ");
            paths[path] ??= {};
            paths[path][method.toLowerCase()] = {
                operationId: operationId(routeKey),
                summary: operation.summary,
                tags: [operation.access === "staff" ? "staff" : "clients"],
                parameters: parametersOf(path, operation),
                ...(operation.body ? { requestBody: { required: true, content: { "application/json": { schema: operation.body } } } } : {}),
                responses: responsesOf(operation),
            };
        }
    }
    return {
        openapi: "3.1.0",
        info: {
            title: "mDetect client API", version: API_VERSION,
            description: "Findings, projects, sites, detectors and deployments of the caller's client; staff maintain the registry. See docs/api.md.",
        },
        // The base URL is the stack output apiUrl; paths start with /v1.
        servers: [{ url: "{apiUrl}", variables: { apiUrl: { default: "https://example.execute-api.ap-southeast-2.amazonaws.com", description: "pulumi stack output apiUrl" } } }],
        security: [{ cognitoIdToken: [] }],
        paths,
        components: {
            securitySchemes: {
                cognitoIdToken: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "The Cognito user pool ID token (not the access token)." },
            },
            schemas: { Problem: PROBLEM, GatewayMessage: GATEWAY_MESSAGE } satisfies Record<string, JsonSchema>,
        },
    };
}
