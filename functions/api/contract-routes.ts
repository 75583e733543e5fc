/**
 * GET /v1/openapi.json: the API's OpenAPI document, generated at deploy time from the route
 * tables (openapi.ts) and handed to this function as a string, so its package holds no route code.
 * It sits behind the same JWT authorizer as every route (the policy pack requires one on each):
 * any signed-in user may fetch it; the document is also a stack output and in docs/api.md.
 */
import { Routes } from "./router";

export interface ContractDeps {
    /** The document, serialized once. */
    readonly document: string;
}

export const OPENAPI_ROUTE = "GET /v1/openapi.json";

export const CONTRACT_ROUTES: Routes<ContractDeps> = {
    [OPENAPI_ROUTE]: {
        summary: "This document (OpenAPI 3.1), for SDK generators and validators.",
        access: "any",
        responses: [{ status: 200, description: "The OpenAPI document.", schema: { type: "object", required: ["openapi", "paths"] } }],
        handle: async ({ deps }) => ({
            statusCode: 200,
            headers: { "content-type": "application/json", "cache-control": "no-store", "x-content-type-options": "nosniff" },
            body: deps.document,
        }),
    },
};
