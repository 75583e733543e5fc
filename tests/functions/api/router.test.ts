import { expect } from "chai";
import * as fc from "fast-check";
import { PROBLEMS, isHttpProblem, json, notFound } from "../../../functions/api/http";
import { callerOf, parseGroups, requireClient, requireStaff } from "../../../functions/api/identity";
import { Logger, Operation, RouteHandler, Routes, router } from "../../../functions/api/router";
import { QUERY, QuerySpec } from "../../../functions/api/validate";
import { DuplicateSerialError, NotFoundError, OverlappingDeploymentError, RegistryUnavailableError, UnknownReferenceError } from "../../../functions/registry/errors";
import { apiEvent, body, claims } from "./fixtures";

const CLIENT = "0b6e3a52-4a3e-4c55-9d1c-3f0e1c2d3b4a";

function recorder(): Logger & { lines: Record<string, unknown>[] } {
    const lines: Record<string, unknown>[] = [];
    return { lines, error: (message, fields) => { lines.push({ message, ...fields }); } };
}

/** A route table that echoes the caller and throws on demand. */
type Deps = { fail?: unknown };
const op = (handle: RouteHandler<Deps>, query: QuerySpec = {}): Operation<Deps> => ({ summary: "test", access: "any", responses: [], query, handle });
const ROUTES: Routes<Deps> = {
    "GET /v1/whoami": op(async ({ caller }) => json(200, caller)),
    "GET /v1/mine": op(async ({ caller }) => json(200, { clientId: requireClient(caller) })),
    "POST /v1/staff-only": op(async ({ caller }) => { requireStaff(caller); return json(201, {}); }),
    "GET /v1/fail": op(async ({ deps }) => { throw deps.fail; }),
    "GET /v1/echo": op(async ({ query }) => json(200, query), { projectId: QUERY.id("a project"), severity: QUERY.severity() }),
};

describe("functions/api: identity and router", () => {
    describe("cognito:groups as the JWT authorizer passes it", () => {
        it("parses the bracketed, space-separated string form", () => {
            expect(parseGroups("[staff]")).to.deep.equal(["staff"]);
            expect(parseGroups("[analysts staff]")).to.deep.equal(["analysts", "staff"]);
            expect(parseGroups("[]")).to.deep.equal([]);
            expect(parseGroups("staff")).to.deep.equal(["staff"]);
            expect(parseGroups(["staff", 3])).to.deep.equal(["staff"]);
            expect(parseGroups(undefined)).to.deep.equal([]);
        });

        it("does not mistake a group merely containing 'staff' for the staff group", () => {
            for (const groups of ["[staffers]", "[not-staff]", "[Staff]", "[staff-readonly analysts]"]) {
                expect(callerOf(apiEvent("GET /v1/whoami", { claims: { ...claims(), "cognito:groups": groups } })).staff, groups).to.equal(false);
            }
        });
    });

    describe("callerOf", () => {
        it("reads client and staff membership from the verified claims", () => {
            const caller = callerOf(apiEvent("GET /v1/whoami", { claims: claims({ clientId: CLIENT, groups: ["staff"] }) }));
            expect(caller).to.include({ clientId: CLIENT, staff: true });
        });

        it("binds a user with a malformed client_id claim to no client", () => {
            for (const bad of ["", "*", CLIENT.toUpperCase(), `${CLIENT} `, "../x", "%"]) {
                expect(callerOf(apiEvent("GET /v1/whoami", { claims: claims({ clientId: bad }) })).clientId, bad).to.equal(undefined);
            }
        });

        it("takes nothing from path, query or body, whatever they claim", () => {
            const other = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
            const spoof = fc.dictionary(fc.constantFrom("custom:client_id", "clientId", "client_id", "cognito:groups", "groups", "sub"),
                fc.constantFrom(other, "[staff]", "staff", "admin"));
            fc.assert(fc.property(spoof, spoof, spoof, (path, query, bodyFields) => {
                const event = apiEvent("GET /v1/whoami", { claims: claims({ clientId: CLIENT }), pathParameters: path, query, body: bodyFields });
                const caller = callerOf(event);
                return caller.clientId === CLIENT && caller.staff === false;
            }), { numRuns: 100 });
        });
    });

    describe("router", () => {
        const handle = (deps: { fail?: unknown } = {}, log = recorder()) => router(ROUTES, async () => deps, log);

        it("answers 401 problem+json without the authorizer context, without claims, or with an access token", async () => {
            const events = [
                apiEvent("GET /v1/whoami"),
                apiEvent("GET /v1/whoami", { claims: {} }),
                apiEvent("GET /v1/whoami", { claims: claims({ clientId: CLIENT, tokenUse: "access" }) }),
                apiEvent("GET /v1/whoami", { claims: { ...claims({ clientId: CLIENT }), sub: "" } }),
            ];
            for (const event of events) {
                const result = await handle()(event);
                expect(result.statusCode).to.equal(401);
                expect(result.headers["content-type"]).to.equal("application/problem+json");
                expect(body(result)).to.deep.include({ status: 401, title: "Unauthenticated", type: PROBLEMS.unauthenticated.type });
            }
        });

        it("answers 403 for a user bound to no client and for non-staff on staff routes", async () => {
            const unbound = await handle()(apiEvent("GET /v1/mine", { claims: claims() }));
            expect(unbound.statusCode).to.equal(403);
            const notStaff = await handle()(apiEvent("POST /v1/staff-only", { claims: claims({ clientId: CLIENT, groups: ["analysts"] }) }));
            expect(notStaff.statusCode).to.equal(403);
            expect(body(notStaff).detail).to.include("staff");
            const staff = await handle()(apiEvent("POST /v1/staff-only", { claims: claims({ groups: ["staff"] }) }));
            expect(staff.statusCode).to.equal(201);
        });

        it("answers 404 for a route it does not serve, including prototype names", async () => {
            for (const routeKey of ["GET /v1/nothing", "constructor", "__proto__", "toString", "hasOwnProperty"]) {
                const result = await handle()({ ...apiEvent("GET /v1/x", { claims: claims({ clientId: CLIENT }) }), routeKey });
                expect(result.statusCode, routeKey).to.equal(404);
            }
        });

        it("answers success as JSON that nothing may cache or sniff", async () => {
            const result = await handle()(apiEvent("GET /v1/whoami", { claims: claims({ clientId: CLIENT }) }));
            expect(result.statusCode).to.equal(200);
            expect(result.headers).to.deep.equal({ "content-type": "application/json", "cache-control": "no-store", "x-content-type-options": "nosniff" });
            expect(body(result)).to.include({ clientId: CLIENT });
        });

        it("turns handler problems into RFC 9457 bodies with type, title, status and detail", async () => {
            const result = await handle({ fail: notFound("finding") })(apiEvent("GET /v1/fail", { claims: claims() }));
            expect(result.statusCode).to.equal(404);
            expect(body(result)).to.deep.equal({ type: PROBLEMS.notFound.type, title: "Not found", status: 404, detail: "No finding with this id is visible to you." });
            expect(result.headers).to.include({ "content-type": "application/problem+json", "cache-control": "no-store" });
        });

        it("maps registry domain errors to 400, 404 and 409 with their stable code", async () => {
            const cases: [unknown, number, string][] = [
                [new DuplicateSerialError(), 409, "duplicate_serial"],
                [new OverlappingDeploymentError(), 409, "overlapping_deployment"],
                [new UnknownReferenceError("site"), 400, "unknown_reference"],
                [new NotFoundError("site"), 404, "not_found"],
            ];
            for (const [error, status, code] of cases) {
                const result = await handle({ fail: error })(apiEvent("GET /v1/fail", { claims: claims() }));
                expect(result.statusCode, code).to.equal(status);
                expect(body(result)).to.include({ status, code });
            }
        });

        it("answers 503 with Retry-After and the request id when the registry is unavailable", async () => {
            const log = recorder();
            const result = await handle({ fail: new RegistryUnavailableError() }, log)(apiEvent("GET /v1/fail", { claims: claims(), requestId: "req-503" }));
            expect(result.statusCode).to.equal(503);
            expect(result.headers["retry-after"]).to.match(/^\d+$/);
            expect(body(result)).to.include({ status: 503, requestId: "req-503" });
            expect(log.lines).to.have.length(1);
        });

        it("answers 500 with only a correlation id, and logs the error without its stack", async () => {
            const log = recorder();
            const error = new Error("connect ECONNREFUSED 10.0.3.7:3306 user=api_reader");
            const result = await handle({ fail: error }, log)(apiEvent("GET /v1/fail", { claims: claims(), requestId: "req-42" }));
            expect(result.statusCode).to.equal(500);
            const problem = body(result);
            expect(problem).to.deep.equal({
                type: PROBLEMS.internal.type, title: "Internal error", status: 500,
                detail: "Something went wrong on our side. Quote the request id if you report it.", requestId: "req-42",
            });
            expect(result.body).to.not.include("ECONNREFUSED").and.not.include("3306").and.not.include("at ");
            expect(log.lines).to.have.length(1);
            expect(log.lines[0]).to.include({ requestId: "req-42", routeKey: "GET /v1/fail", name: "Error" });
            expect(JSON.stringify(log.lines[0])).to.not.include("at Object").and.not.include(".ts:");
        });

        it("quotes the request id as \"unknown\" in the 500 and the log when the event carries none", async () => {
            const log = recorder();
            const event = apiEvent("GET /v1/fail", { claims: claims() });
            delete (event.requestContext as { requestId?: string }).requestId;
            const result = await handle({ fail: new Error("boom") }, log)(event);
            expect(body(result)).to.include({ status: 500, requestId: "unknown" });
            expect(log.lines[0]).to.include({ requestId: "unknown" });
        });

        it("refuses unknown query parameters with a 400 naming them, and passes the declared ones parsed", async () => {
            const asClient = (query: Record<string, string>) => apiEvent("GET /v1/echo", { claims: claims({ clientId: CLIENT }), query });
            const typo = await handle()(asClient({ projectid: CLIENT, severity: "alert" }));
            expect(typo.statusCode).to.equal(400);
            expect(body(typo).detail).to.equal('Unknown query parameter "projectid"; this route accepts projectId, severity.');
            const two = body(await handle()(asClient({ a: "1", b: "2" }))).detail;
            expect(two).to.equal('Unknown query parameters "a", "b"; this route accepts projectId, severity.');
            const none = await handle()(apiEvent("GET /v1/whoami", { claims: claims(), query: { x: "1" } }));
            expect(body(none).detail).to.equal('Unknown query parameter "x"; this route takes none.');
            const long = body(await handle()(asClient({ ["p".repeat(500)]: "1", c: "", d: "", e: "", f: "", g: "" }))).detail as string;
            expect(long.length, "quoted names are bounded").to.be.below(400);
            expect(long).to.include("and more");
            const ok = await handle()(asClient({ projectId: CLIENT, severity: "alert" }));
            expect(body(ok)).to.deep.equal({ projectId: CLIENT, severity: "alert" });
            expect(body(await handle()(asClient({ severity: "critical" }))).detail).to.include("info, warning, alert");
        });

        it("a plain object that merely claims the HttpProblem name is a 500, not a crash", async () => {
            const result = await handle({ fail: { name: "HttpProblem" } })(apiEvent("GET /v1/fail", { claims: claims() }));
            expect(result.statusCode).to.equal(500);
        });

        it("never throws: any thrown value becomes a problem response", async () => {
            await fc.assert(fc.asyncProperty(fc.anything(), async (thrown) => {
                const result = await handle({ fail: thrown })(apiEvent("GET /v1/fail", { claims: claims() }));
                return [500, 503].includes(result.statusCode) || isHttpProblem(thrown);
            }), { numRuns: 100 });
        });
    });
});
