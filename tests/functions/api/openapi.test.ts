import { validate } from "@readme/openapi-parser";
import { expect } from "chai";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../../../functions/registry/records";
import { CONTRACT_ROUTES } from "../../../functions/api/contract-routes";
import { ROUTE_TABLES, openApiDocument } from "../../../functions/api/openapi";
import { apiEvent, body, claims } from "./fixtures";
import { contractRouter } from "./contract";

describe("functions/api: the OpenAPI document", () => {
    const doc = openApiDocument() as any;

    it("is a valid OpenAPI 3.1 document (@readme/openapi-parser)", async () => {
        const result = await validate(structuredClone(doc));
        expect(result.valid, JSON.stringify((result as any).errors)).to.equal(true);
        expect(result.specification).to.equal("OpenAPI");
        expect(doc.openapi).to.equal("3.1.0");
    });

    it("an invalid variant is refused by the same validator (the check can fail)", async () => {
        const broken = structuredClone(doc);
        broken.paths["/v1/findings"].get.responses["200"].content["application/json"].schema = { $ref: "#/components/schemas/Nope" };
        expect((await validate(broken)).valid).to.equal(false);
    });

    it("has exactly the routes of the route tables, each with its parameters", () => {
        const routes = Object.values(ROUTE_TABLES).flatMap((t) => Object.keys(t));
        const documented = Object.entries(doc.paths).flatMap(([path, ops]: [string, any]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
        expect(documented).to.have.members(routes);
        const findings = doc.paths["/v1/findings"].get.parameters.map((p: any) => p.name);
        expect(findings).to.have.members(["projectId", "detectorId", "severity", "from", "to", "limit", "cursor"]);
        const limit = doc.paths["/v1/findings"].get.parameters.find((p: any) => p.name === "limit");
        expect(limit.schema).to.deep.include({ default: DEFAULT_PAGE_SIZE, maximum: MAX_PAGE_SIZE, minimum: 1 });
        expect(doc.paths["/v1/findings/{id}"].get.parameters[0]).to.include({ name: "id", in: "path", required: true });
        expect(doc.paths["/v1/sites"].post.requestBody.content["application/json"].schema.required).to.deep.equal(["name", "kind", "latitude", "longitude"]);
    });

    it("documents API Gateway's own 401 and 429 bodies, 409 where the registry or a JSON conversion can conflict, and 503's retry-after", () => {
        for (const [path, ops] of Object.entries(doc.paths) as [string, any][]) {
            for (const [method, op] of Object.entries(ops) as [string, any][]) {
                const where = `${method} ${path}`;
                expect(op.responses["401"].content, where).to.have.keys("application/json", "application/problem+json");
                expect(op.responses["429"].content["application/json"].schema.$ref, where).to.equal("#/components/schemas/GatewayMessage");
                expect(op.responses["503"].headers, where).to.have.key("retry-after");
                const conflicts = (method !== "get" && path !== "/v1/uploads") || path === "/v1/findings/{id}/download";
                expect(Boolean(op.responses["409"]), where).to.equal(conflicts);
            }
        }
    });

    it("documents both download formats, csv the default, and the gzip content type the link names", () => {
        const op = doc.paths["/v1/findings/{id}/download"].get;
        expect(op.parameters.find((p: any) => p.name === "format").schema).to.deep.equal({ enum: ["csv", "json"] });
        expect(op.responses["409"].description).to.match(/format=json.*too large/);
        const link = op.responses["200"].content["application/json"].schema;
        expect(link.properties.contentType).to.deep.include({ const: "application/gzip" });
        expect(link.required).to.include("contentType");
    });

    it("is what GET /v1/openapi.json serves, to any signed-in user", async () => {
        const text = JSON.stringify(doc);
        const serve = contractRouter(CONTRACT_ROUTES, async () => ({ document: text }));
        const result = await serve(apiEvent("GET /v1/openapi.json", { claims: claims() }));
        expect(result.statusCode).to.equal(200);
        expect(body(result)).to.deep.equal(doc);
        expect((await serve(apiEvent("GET /v1/openapi.json"))).statusCode, "no token, no document").to.equal(401);
    });
});
