import { validate } from "@readme/openapi-parser";
import { expect } from "chai";
import fc from "fast-check";
import * as fs from "fs";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../../../functions/registry/records";
import { CONTRACT_ROUTES } from "../../../functions/api/contract-routes";
import { API_VERSION, ROUTE_TABLES, openApiDocument } from "../../../functions/api/openapi";
import { Operation, RETRY_AFTER_SECONDS, Routes } from "../../../functions/api/router";
import { FIELD, GATEWAY_MESSAGE, ID_SCHEMA, PROBLEM, bodySchema } from "../../../functions/api/schemas";
import { OPENAPI_JSON, openApiText } from "../../../scripts/gen-openapi";
import { apiEvent, body, claims } from "./fixtures";
import { contractRouter } from "./contract";

// Built inside each test, never once at load: Stryker's mocha runner keeps test files loaded
// between mutants, so a document built at load would never show the mutant under test.
const documentOf = (tables?: Parameters<typeof openApiDocument>[0]): any => openApiDocument(tables);

/** Every operation of a document, with "METHOD path". */
function operations(doc: any): [string, any][] {
    return Object.entries(doc.paths).flatMap(([path, ops]: [string, any]) => Object.entries(ops).map(([m, op]) => [`${m.toUpperCase()} ${path}`, op] as [string, any]));
}

const problemContent = { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } };
const gatewayContent = { "application/json": { schema: { $ref: "#/components/schemas/GatewayMessage" } } };
/** What every operation can answer besides its own: 400, 403, 404 and 500 problems, the gateway's 401 and 429, and 503. */
const COMMON_STATUSES = ["400", "401", "403", "404", "429", "500", "503"];

describe("functions/api: the OpenAPI document", () => {
    it("is a valid OpenAPI 3.1 document (@readme/openapi-parser)", async () => {
        const doc = documentOf();
        const result = await validate(structuredClone(doc));
        expect(result.valid, JSON.stringify((result as any).errors)).to.equal(true);
        expect(result.specification).to.equal("OpenAPI");
        expect(doc.openapi).to.equal("3.1.0");
    });

    it("an invalid variant is refused by the same validator (the check can fail)", async () => {
        const broken = documentOf();
        broken.paths["/v1/findings"].get.responses["200"].content["application/json"].schema = { $ref: "#/components/schemas/Nope" };
        expect((await validate(broken)).valid).to.equal(false);
    });

    it("is the committed docs/openapi.json, byte for byte (what clients generate SDKs from)", () => {
        const committed = fs.readFileSync(OPENAPI_JSON, "utf8");
        expect(committed === openApiText(), "docs/openapi.json is stale: run `npx tsx scripts/gen-openapi.ts`").to.equal(true);
        expect(JSON.parse(committed)).to.deep.equal(documentOf());
    });

    it("has exactly the routes of the route tables, each with its parameters", () => {
        const doc = documentOf();
        const routes = Object.values(ROUTE_TABLES).flatMap((t) => Object.keys(t));
        expect(operations(doc).map(([key]) => key)).to.have.members(routes);
        const findings = doc.paths["/v1/findings"].get.parameters.map((p: any) => p.name);
        expect(findings).to.have.members(["projectId", "detectorId", "severity", "from", "to", "limit", "cursor"]);
        const limit = doc.paths["/v1/findings"].get.parameters.find((p: any) => p.name === "limit");
        expect(limit.schema).to.deep.include({ default: DEFAULT_PAGE_SIZE, maximum: MAX_PAGE_SIZE, minimum: 1 });
        expect(doc.paths["/v1/findings/{id}"].get.parameters[0]).to.deep.equal({ name: "id", in: "path", required: true, schema: ID_SCHEMA });
        expect(doc.paths["/v1/sites"].post.requestBody.content["application/json"].schema.required).to.deep.equal(["name", "kind", "latitude", "longitude"]);
    });

    it("gives every response of every route content with a schema, and names staff routes' tag", () => {
        const staffRoutes = [...Object.keys(ROUTE_TABLES.admin), ...Object.keys(ROUTE_TABLES.upload)];
        for (const [key, op] of operations(documentOf())) {
            for (const [status, response] of Object.entries(op.responses) as [string, any][]) {
                const types = Object.keys(response.content ?? {});
                expect(types, `${key} ${status}`).to.not.be.empty;
                for (const type of types) expect(response.content[type].schema, `${key} ${status} ${type}`).to.be.an("object").that.is.not.empty;
            }
            expect(op.responses, key).to.include.keys(COMMON_STATUSES);
            expect(op.tags, key).to.deep.equal([staffRoutes.includes(key) ? "staff" : "clients"]);
        }
    });

    it("names each operation by its route key, uniquely: camelCase, without /v1, braces or .json", () => {
        const ids = operations(documentOf()).map(([, op]) => op.operationId);
        expect(new Set(ids).size).to.equal(ids.length);
        for (const id of ids) expect(id).to.match(/^(get|post|patch)([A-Z][a-z0-9]*)+$/);
        const idOf = (key: string, table: Routes<unknown> = { [key]: anOperation() }) => {
            const [method, path] = key.split(" ");
            return documentOf({ t: table }).paths[path][method.toLowerCase()].operationId;
        };
        expect(idOf("GET /v1/findings/{id}/download")).to.equal("getFindingsIdDownload");
        expect(idOf("GET /v1/openapi.json")).to.equal("getOpenapi");
        expect(idOf("PATCH /v1/registry/sites/{siteId}")).to.equal("patchRegistrySitesSiteid");
        // Only a trailing .json is dropped; a path ending in a separator has no empty word.
        expect(idOf("GET /v1/reports.json/{id}")).to.equal("getReportsJsonId");
        expect(idOf("GET /v1/")).to.equal("get");
    });

    it("documents API Gateway's own 401 and 429 bodies, 409 where the registry or a JSON conversion can conflict, and 503's retry-after", () => {
        for (const [key, op] of operations(documentOf())) {
            const [method, path] = key.split(" ");
            expect(op.responses["401"].content, key).to.deep.equal({ ...gatewayContent, ...problemContent });
            expect(op.responses["429"].content, key).to.deep.equal(gatewayContent);
            expect(op.responses["503"].headers, key).to.deep.equal({ "retry-after": { description: `Seconds to wait (${RETRY_AFTER_SECONDS}).`, schema: { type: "string" } } });
            expect(op.responses["503"].content, key).to.deep.equal(problemContent);
            const conflicts = (method !== "GET" && path !== "/v1/uploads") || path === "/v1/findings/{id}/download";
            expect(Boolean(op.responses["409"]), key).to.equal(conflicts);
        }
    });

    it("documents both download formats, csv the default, and the gzip content type the link names", () => {
        const op = documentOf().paths["/v1/findings/{id}/download"].get;
        expect(op.parameters.find((p: any) => p.name === "format").schema).to.deep.equal({ enum: ["csv", "json"] });
        expect(op.responses["409"].description).to.match(/format=json.*too large/);
        const link = op.responses["200"].content["application/json"].schema;
        expect(link.properties.contentType).to.deep.include({ const: "application/gzip" });
        expect(link.required).to.include("contentType");
    });

    it("asks for the Cognito ID token on every operation and carries the schemas it references", () => {
        const doc = documentOf();
        expect(doc.info).to.include({ version: API_VERSION });
        expect(doc.security).to.deep.equal([{ cognitoIdToken: [] }]);
        expect(doc.components.securitySchemes.cognitoIdToken).to.include({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
        expect(doc.components.schemas).to.deep.equal({ Problem: PROBLEM, GatewayMessage: GATEWAY_MESSAGE });
        expect(doc.servers[0].url).to.equal("{apiUrl}");
        expect(new URL(doc.servers[0].variables.apiUrl.default).protocol).to.equal("https:");
    });

    it("documents any route table as declared: parameters, body, responses, problems and tags (property)", () => {
        fc.assert(fc.property(routeTables, (tables) => {
            const doc = documentOf(tables);
            const declared = Object.values(tables).flatMap((t) => Object.entries(t));
            expect(operations(doc)).to.have.length(declared.length);
            for (const [key, operation] of declared) {
                const [method, path] = key.split(" ");
                const op = doc.paths[path][method.toLowerCase()];
                expect(op.summary).to.equal(operation.summary);
                expect(op.tags).to.deep.equal([operation.access === "staff" ? "staff" : "clients"]);
                expect(op.operationId).to.equal([method, ...path.replace(/[{}]/g, "").split("/").slice(2)]
                    .map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join(""));
                const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => ({ name, in: "path", required: true, schema: ID_SCHEMA }));
                const inQuery = Object.entries(operation.query ?? {}).map(([name, p]) => ({
                    name, in: "query", required: false, description: p.description,
                    schema: p.defaultValue === undefined ? p.schema : { ...p.schema, default: p.defaultValue },
                }));
                expect(op.parameters).to.deep.equal([...inPath, ...inQuery]);
                if (operation.body) expect(op.requestBody).to.deep.equal({ required: true, content: { "application/json": { schema: operation.body } } });
                else expect(op).to.not.have.property("requestBody");
                expect(op.responses).to.have.keys([...new Set([...operation.responses.map((r) => String(r.status)), ...COMMON_STATUSES, ...Object.keys(operation.problems ?? {})])]);
                for (const r of operation.responses) {
                    const headers = r.headers && Object.fromEntries(Object.entries(r.headers).map(([n, d]) => [n, { description: d, schema: { type: "string" } }]));
                    expect(op.responses[String(r.status)]).to.deep.equal({
                        description: r.description, content: { [r.contentType ?? "application/json"]: { schema: r.schema } }, ...(headers ? { headers } : {}),
                    });
                }
                for (const [status, description] of Object.entries(operation.problems ?? {})) {
                    expect(op.responses[status]).to.deep.equal({ description, content: problemContent });
                }
                for (const status of ["400", "403", "404", "500"]) {
                    expect(op.responses[status].content).to.deep.equal(problemContent);
                    expect(op.responses[status].description).to.be.a("string").that.is.not.empty;
                }
            }
        }), { numRuns: 60 });
    });

    it("request body schemas: closed objects, with no field required unless listed", () => {
        const fields = { name: FIELD.text, at: FIELD.optionalDate };
        expect(bodySchema(fields)).to.deep.equal({ type: "object", additionalProperties: false, required: [], properties: fields });
        expect(bodySchema(fields, ["name"]).required).to.deep.equal(["name"]);
    });

    it("is what GET /v1/openapi.json serves, to any signed-in user", async () => {
        const doc = documentOf();
        const serve = contractRouter(CONTRACT_ROUTES, async () => ({ document: JSON.stringify(doc) }));
        const result = await serve(apiEvent("GET /v1/openapi.json", { claims: claims() }));
        expect(result.statusCode).to.equal(200);
        expect(body(result)).to.deep.equal(doc);
        expect((await serve(apiEvent("GET /v1/openapi.json"))).statusCode, "no token, no document").to.equal(401);
    });
});

function anOperation(overrides: Partial<Operation<unknown>> = {}): Operation<unknown> {
    return {
        summary: "s", access: "client", responses: [{ status: 200, description: "ok", schema: { type: "object" } }],
        handle: async () => { throw new Error("not called: only documented"); }, ...overrides,
    };
}

// Few words, so routes often share a path (several methods on one path item).
const segment = fc.constantFrom("sites", "x1", "reports", "{id}", "{siteId}", "{n}");
const routeKey = fc.tuple(fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"), fc.uniqueArray(segment, { minLength: 1, maxLength: 3 }))
    .map(([method, segments]) => `${method} /v1/${segments.join("/")}`);
const text = fc.string({ minLength: 1, maxLength: 12 });
const schema = fc.constantFrom<Record<string, unknown>>({ type: "string" }, { type: "integer", minimum: 1 }, { enum: ["a", "b"] }, { type: "object" });
const queryParam = fc.record({ description: text, schema, defaultValue: fc.constantFrom(undefined, 1, "a", false) })
    .map((p) => ({ ...p, parse: () => undefined }));
const response = fc.record({
    status: fc.integer({ min: 200, max: 299 }), description: text, schema,
    contentType: fc.constantFrom("text/csv", "application/gzip"),
    headers: fc.dictionary(fc.stringMatching(/^x-[a-z]{1,6}$/), text, { minKeys: 1, maxKeys: 2 }),
}, { requiredKeys: ["status", "description", "schema"] });
const operation = fc.record({
    summary: text, access: fc.constantFrom("client", "staff", "any"),
    query: fc.dictionary(fc.stringMatching(/^[a-z][A-Za-z]{0,6}$/), queryParam, { maxKeys: 3 }),
    body: schema,
    responses: fc.uniqueArray(response, { minLength: 1, maxLength: 3, selector: (r) => r.status }),
    problems: fc.dictionary(fc.constantFrom("409", "410", "413", "422"), text, { minKeys: 1 }),
}, { requiredKeys: ["summary", "access", "responses"] }).map((o) => anOperation(o as Partial<Operation<unknown>>));
/** Routes spread over one to three tables, as the functions split them; a path may carry several methods. */
const routeTables = fc.uniqueArray(fc.tuple(routeKey, operation, fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 6, selector: ([key]) => key })
    .map((routes) => {
        const tables: Record<string, Record<string, Operation<unknown>>> = {};
        for (const [key, op, table] of routes) (tables[`t${table}`] ??= {})[key] = op;
        return tables;
    });
