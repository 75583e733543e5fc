/**
 * The contract test: every response the API tests produce (through `contractRouter` or
 * `recording`) is validated, at the end of the run, against its operation's response schema in
 * the generated OpenAPI document, with ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1).
 * An undocumented status or content type fails as surely as a body that does not match.
 */
import Ajv2020 from "ajv/dist/2020";
import { expect } from "chai";
import type { ApiEvent, ApiResult } from "../../../functions/api/http";
import { openApiDocument } from "../../../functions/api/openapi";
import { Logger, Routes, router } from "../../../functions/api/router";

export interface Recorded { readonly routeKey: string; readonly result: ApiResult }
const recorded: Recorded[] = [];

/** Wraps a handler so every response it gives is checked against the document at the end. */
export function recording(handler: (event: ApiEvent) => Promise<ApiResult>): (event: ApiEvent) => Promise<ApiResult> {
    return async (event) => {
        const result = await handler(event);
        recorded.push({ routeKey: event.routeKey, result });
        return result;
    };
}

export function contractRouter<D>(routes: Routes<D>, deps: () => Promise<D>, log?: Logger) {
    return recording(router(routes, deps, log));
}

/** The document with its component references inlined (they are all local and acyclic). */
function inline(value: unknown, components: Record<string, unknown>): unknown {
    if (Array.isArray(value)) return value.map((v) => inline(v, components));
    if (value && typeof value === "object") {
        const ref = (value as { $ref?: string }).$ref;
        if (ref) return inline(components[ref.replace("#/components/schemas/", "")], components);
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inline(v, components)]));
    }
    return value;
}

export function contractViolations(responses: readonly Recorded[]): string[] {
    const doc = openApiDocument() as any;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    ajv.addFormat("date-time", (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)));
    ajv.addFormat("uri", (s: string) => { try { return Boolean(new URL(s)); } catch { return false; } });
    const violations: string[] = [];
    for (const { routeKey, result } of responses) {
        const [method, path] = routeKey.split(" ");
        const operation = doc.paths[path]?.[method.toLowerCase()];
        const where = `${routeKey} -> ${result.statusCode}`;
        if (!operation) { violations.push(`${where}: no such operation in the document`); continue; }
        const response = operation.responses[String(result.statusCode)];
        if (!response) { violations.push(`${where}: status not documented`); continue; }
        const contentType = result.headers["content-type"];
        const schema = response.content?.[contentType]?.schema;
        if (!schema) { violations.push(`${where}: content type ${contentType} not documented`); continue; }
        for (const header of Object.keys(response.headers ?? {})) {
            if (result.headers[header] === undefined) violations.push(`${where}: header ${header} missing`);
        }
        const validate = ajv.compile(inline(schema, doc.components.schemas) as object);
        if (!validate(JSON.parse(result.body))) violations.push(`${where}: ${ajv.errorsText(validate.errors)} in ${result.body.slice(0, 300)}`);
    }
    return violations;
}

/** Registered once, on the root suite: runs after every test file that loaded this module. */
after("contract: every API response recorded in this run matches its OpenAPI operation", () => {
    expect(contractViolations(recorded)).to.deep.equal([]);
});
