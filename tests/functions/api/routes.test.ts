import { createHash } from "crypto";
import { expect } from "chai";
import { ADMIN_ROUTES } from "../../../functions/api/admin-routes";
import { DOWNLOAD_ROUTES, READ_ROUTES } from "../../../functions/api/client-routes";
import { presignClient } from "../../../functions/api/presign";
import { UPLOAD_ROUTES } from "../../../functions/api/upload-routes";
import { withTestDatabase, TestDatabase } from "../../helpers/db";
import { ApiWorld, CREDENTIALS, REGION, apiEvent, body, buildApiWorld, claims, signatureMatches } from "./fixtures";
import { contractRouter } from "./contract";

const BUCKET = "mdetect-data-lake";
const silent = { error: () => undefined };

describe("functions/api routes against the registry (MariaDB)", () => {
    let db: TestDatabase;
    let world: ApiWorld;
    const s3 = presignClient({ region: REGION, credentials: CREDENTIALS });
    let read: ReturnType<typeof contractRouter>;
    let download: ReturnType<typeof contractRouter>;
    let admin: ReturnType<typeof contractRouter>;
    let upload: ReturnType<typeof contractRouter>;

    before(async () => {
        db = await withTestDatabase();
        world = await buildApiWorld(db.pool);
        read = contractRouter(READ_ROUTES, async () => ({ pool: db.pool }), silent);
        download = contractRouter(DOWNLOAD_ROUTES, async () => ({ pool: db.pool, s3, bucket: BUCKET, expiresIn: 900, log: silent }), silent);
        admin = contractRouter(ADMIN_ROUTES, async () => ({ pool: db.pool }), silent);
        upload = contractRouter(UPLOAD_ROUTES, async () => ({ s3, bucket: BUCKET, expiresIn: 600 }), silent);
    });
    after(async () => { await db?.drop(); });

    const asA = () => claims({ clientId: world.clientA.id });
    const staff = () => claims({ groups: ["staff"] });

    describe("GET /v1/findings", () => {
        it("lists only the caller's findings, newest first, without S3 keys or client ids", async () => {
            const result = await read(apiEvent("GET /v1/findings", { claims: asA() }));
            expect(result.statusCode).to.equal(200);
            const page = body(result);
            expect(page.items.map((f: any) => f.id)).to.deep.equal([...world.findingsA].reverse().map((f) => f.id));
            expect(page.nextCursor).to.equal(undefined);
            expect(page.items[0]).to.have.keys("id", "projectId", "periodStart", "periodEnd", "severity");
            expect(page.items[0].periodStart).to.equal("2026-01-06T00:00:00.000Z");
        });

        it("pages with an opaque cursor until every finding was seen exactly once", async () => {
            const seen: string[] = [];
            let cursor: string | undefined;
            do {
                const query: Record<string, string> = { limit: "2", ...(cursor ? { cursor } : {}) };
                const page = body(await read(apiEvent("GET /v1/findings", { claims: asA(), query })));
                expect(page.items.length).to.be.at.most(2);
                seen.push(...page.items.map((f: any) => f.id));
                cursor = page.nextCursor;
                if (cursor) expect(cursor).to.match(/^[A-Za-z0-9_-]+$/);
            } while (cursor);
            expect(seen).to.deep.equal([...world.findingsA].reverse().map((f) => f.id));
        });

        it("filters by project, detector and date range", async () => {
            const ids = async (query: Record<string, string>) => body(await read(apiEvent("GET /v1/findings", { claims: asA(), query }))).items.map((f: any) => f.id);
            expect(await ids({ projectId: world.projectA2.id })).to.deep.equal([world.findingsA[4].id]);
            expect(await ids({ detectorId: world.d1.id })).to.have.length(5);
            expect(await ids({ detectorId: world.d2.id }), "B's detector: nothing of A's").to.deep.equal([]);
            expect(await ids({ from: "2026-01-03", to: "2026-01-05T00:00:00Z" }), "to is exclusive").to.deep.equal([world.findingsA[2].id, world.findingsA[1].id]);
            const alerts = world.findingsA.filter((f) => f.severity === "alert").map((f) => f.id).reverse();
            expect(alerts.length).to.be.within(1, world.findingsA.length - 1);
            expect(await ids({ severity: "alert" })).to.deep.equal(alerts);
            expect(await ids({ severity: "warning" })).to.deep.equal([]);
        });

        it("refuses unknown query parameters, naming them, instead of returning everything", async () => {
            const result = await read(apiEvent("GET /v1/findings", { claims: asA(), query: { projectid: "nope" } }));
            expect(result.statusCode).to.equal(400);
            expect(body(result).detail).to.include('"projectid"').and.include("projectId");
            for (const routeKey of ["GET /v1/projects", "GET /v1/sites", "GET /v1/detectors", "GET /v1/deployments"]) {
                expect((await read(apiEvent(routeKey, { claims: asA(), query: { limit: "5" } }))).statusCode, routeKey).to.equal(400);
            }
        });

        it("answers 400 problems naming the parameter for malformed filters", async () => {
            const cases: [Record<string, string>, string][] = [
                [{ projectId: "42" }, "projectId"], [{ detectorId: world.d1.id.toUpperCase() }, "detectorId"],
                [{ from: "yesterday" }, "from"], [{ to: "2026-13-45" }, "to"], [{ from: "2026-01-05", to: "2026-01-01" }, "before"],
                [{ limit: "0" }, "limit"], [{ limit: "1000" }, "limit"], [{ limit: "ten" }, "limit"], [{ cursor: "!!" }, "cursor"],
            ];
            for (const [query, word] of cases) {
                const result = await read(apiEvent("GET /v1/findings", { claims: asA(), query }));
                expect(result.statusCode, JSON.stringify(query)).to.equal(400);
                expect(result.headers["content-type"]).to.equal("application/problem+json");
                expect(body(result).detail, JSON.stringify(query)).to.include(word);
            }
        });

        it("refuses a cursor under other filters or from another client", async () => {
            const first = body(await read(apiEvent("GET /v1/findings", { claims: asA(), query: { limit: "1" } })));
            const otherFilter = await read(apiEvent("GET /v1/findings", { claims: asA(), query: { cursor: first.nextCursor, projectId: world.projectA.id } }));
            expect(otherFilter.statusCode).to.equal(400);
            const otherClient = await read(apiEvent("GET /v1/findings", { claims: claims({ clientId: world.clientB.id }), query: { cursor: first.nextCursor } }));
            expect(otherClient.statusCode).to.equal(400);
            const resized = await read(apiEvent("GET /v1/findings", { claims: asA(), query: { cursor: first.nextCursor, limit: "3" } }));
            expect(resized.statusCode, "the page size may change between pages").to.equal(200);
        });
    });

    describe("GET /v1/findings/{id}", () => {
        it("returns the caller's finding, and 404 for another client's or an absent one", async () => {
            const own = await read(apiEvent("GET /v1/findings/{id}", { claims: asA(), pathParameters: { id: world.findingsA[1].id } }));
            expect(body(own)).to.deep.equal({
                id: world.findingsA[1].id, projectId: world.projectA.id, severity: world.findingsA[1].severity,
                periodStart: "2026-01-03T00:00:00.000Z", periodEnd: "2026-01-03T01:00:00.000Z",
            });
            const theirs = await read(apiEvent("GET /v1/findings/{id}", { claims: asA(), pathParameters: { id: world.findingsB[0].id } }));
            const absent = await read(apiEvent("GET /v1/findings/{id}", { claims: asA(), pathParameters: { id: "00000000-0000-4000-8000-000000000000" } }));
            expect(theirs.statusCode).to.equal(404);
            expect(theirs.body).to.equal(absent.body);
        });
    });

    describe("GET /v1/findings/{id}/download", () => {
        it("signs the gzip CSV as an attachment with a file name, and refuses formats it does not offer", async () => {
            const finding = world.findingsA[0];
            const answer = body(await download(apiEvent("GET /v1/findings/{id}/download", { claims: asA(), pathParameters: { id: finding.id }, query: { format: "csv" } })));
            expect(answer.filename).to.equal(`mdetect-finding-20260102T000000Z-${finding.id.slice(0, 8)}.csv.gz`);
            const url = new URL(answer.url);
            expect(url.searchParams.get("response-content-disposition")).to.equal(`attachment; filename="${answer.filename}"`);
            expect(url.searchParams.get("response-content-type")).to.equal("application/gzip").and.equal(answer.contentType);
            const xml = await download(apiEvent("GET /v1/findings/{id}/download", { claims: asA(), pathParameters: { id: finding.id }, query: { format: "xml" } }));
            expect(xml.statusCode).to.equal(400);
        });

        it("returns a presigned GET of exactly that finding's object", async () => {
            const finding = world.findingsA[0];
            const result = await download(apiEvent("GET /v1/findings/{id}/download", { claims: asA(), pathParameters: { id: finding.id } }));
            expect(result.statusCode).to.equal(200);
            const answer = body(result);
            expect(answer).to.include({ method: "GET", expiresInSeconds: 900 });
            const url = new URL(answer.url);
            expect(decodeURIComponent(url.pathname)).to.equal(`/${finding.s3Key}`);
            expect(url.searchParams.get("X-Amz-Expires")).to.equal("900");
            expect(signatureMatches(answer.url, "GET", {})).to.equal(true);
        });
    });

    describe("GET /v1/detectors and /v1/deployments", () => {
        it("list the caller's client's detectors and deployments only", async () => {
            const detectors = body(await read(apiEvent("GET /v1/detectors", { claims: asA() }))).items;
            expect(detectors.map((d: any) => d.serial)).to.deep.equal(["MD-9001"]);
            const deployments = body(await read(apiEvent("GET /v1/deployments", { claims: asA() }))).items;
            expect(deployments).to.have.length(1);
            expect(deployments[0]).to.include({
                detectorId: world.d1.id, projectId: world.projectA.id, siteId: world.mine.id, siteName: "Mine 1", startsAt: "2026-01-01T00:00:00.000Z", endsAt: null,
            });
        });

        it("list the caller's projects by name and the sites of its deployments, nothing of B's", async () => {
            const projects = body(await read(apiEvent("GET /v1/projects", { claims: asA() }))).items;
            expect(projects).to.deep.equal([
                { id: world.projectA2.id, name: "A second survey", description: null },
                { id: world.projectA.id, name: "A survey", description: null },
            ]);
            const sites = body(await read(apiEvent("GET /v1/sites", { claims: asA() }))).items;
            expect(sites).to.deep.equal([{ id: world.mine.id, name: "Mine 1", kind: "mine", latitude: -31.95, longitude: 141.46, depthM: 780 }]);
        });

        it("answer a user bound to no client with 403, not with everything", async () => {
            for (const routeKey of ["GET /v1/detectors", "GET /v1/deployments", "GET /v1/findings", "GET /v1/projects", "GET /v1/sites"]) {
                expect((await read(apiEvent(routeKey, { claims: claims({ groups: ["staff"] }) }))).statusCode, routeKey).to.equal(403);
            }
        });
    });

    describe("staff routes", () => {
        it("list every site, detector and deployment, across clients (staff are bound to none); client users are refused", async () => {
            const items = async (path: string) => {
                const result = await admin(apiEvent(`GET /v1/registry/${path}`, { claims: staff() }));
                expect(result.statusCode, path).to.equal(200);
                return body(result).items;
            };
            expect((await items("sites")).map((x: any) => x.name)).to.include.members(["Mine 1", "Tunnel 1"]);
            expect((await items("detectors")).map((x: any) => x.serial)).to.include.members(["MD-9001", "MD-9002"]);
            const deployments = await items("deployments");
            expect(deployments.map((d: any) => [d.detectorId, d.siteName])).to.deep.include.members([[world.d1.id, "Mine 1"], [world.d2.id, "Tunnel 1"]]);
            for (const path of ["sites", "detectors", "deployments"]) {
                expect((await admin(apiEvent(`GET /v1/registry/${path}`, { claims: asA() }))).statusCode, path).to.equal(403);
                // The client lists answer a staff user with 403: what `mdetect registry ... list` used to call.
                expect((await read(apiEvent(`GET /v1/${path}`, { claims: staff() }))).statusCode, path).to.equal(403);
            }
        });

        it("create and update a site, detector and deployment", async () => {
            const site = await admin(apiEvent("POST /v1/sites", { claims: staff(), body: { name: "Shaft 3", kind: "mine", latitude: -30.5, longitude: 121.4, depthM: 420 } }));
            expect(site.statusCode).to.equal(201);
            const siteId = body(site).id;
            const patched = await admin(apiEvent("PATCH /v1/sites/{id}", { claims: staff(), pathParameters: { id: siteId }, body: { depthM: 450 } }));
            expect(body(patched)).to.include({ id: siteId, depthM: 450 });

            const detector = await admin(apiEvent("POST /v1/detectors", { claims: staff(), body: { serial: "MD-9100", model: "MuScope 3", firmware: "3.0.0", commissionedAt: "2026-02-01T00:00:00Z" } }));
            expect(detector.statusCode).to.equal(201);
            expect(body(detector)).to.include({ serial: "MD-9100", commissionedAt: "2026-02-01T00:00:00.000Z" });
            const detectorId = body(detector).id;
            const firmware = await admin(apiEvent("PATCH /v1/detectors/{id}", { claims: staff(), pathParameters: { id: detectorId }, body: { firmware: "3.0.1" } }));
            expect(body(firmware)).to.include({ firmware: "3.0.1" });

            const deployment = await admin(apiEvent("POST /v1/deployments", { claims: staff(), body: {
                detectorId, siteId, projectId: world.projectA.id, startsAt: "2026-02-10T00:00:00Z", zenithDeg: 30, status: "active",
            } }));
            expect(deployment.statusCode).to.equal(201);
            const ended = await admin(apiEvent("PATCH /v1/deployments/{id}", { claims: staff(), pathParameters: { id: body(deployment).id },
                body: { endsAt: "2026-03-01T00:00:00Z", status: "retrieved" } }));
            expect(body(ended)).to.include({ status: "retrieved", endsAt: "2026-03-01T00:00:00.000Z" });
        });

        it("answer registry conflicts with 409 and unknown references with 400", async () => {
            const duplicate = await admin(apiEvent("POST /v1/detectors", { claims: staff(), body: { serial: "MD-9001", model: "m", firmware: "f" } }));
            expect(duplicate.statusCode).to.equal(409);
            expect(body(duplicate).code).to.equal("duplicate_serial");
            const overlap = await admin(apiEvent("POST /v1/deployments", { claims: staff(), body: {
                detectorId: world.d1.id, siteId: world.tunnel.id, projectId: world.projectA.id, startsAt: "2026-01-15T00:00:00Z",
            } }));
            expect(overlap.statusCode).to.equal(409);
            expect(body(overlap).code).to.equal("overlapping_deployment");
            const spare = body(await admin(apiEvent("POST /v1/detectors", { claims: staff(), body: { serial: "MD-9999", model: "m", firmware: "f" } })));
            const unknownSite = await admin(apiEvent("POST /v1/deployments", { claims: staff(), body: {
                detectorId: spare.id, siteId: "00000000-0000-4000-8000-000000000000", projectId: world.projectA.id, startsAt: "2030-01-01T00:00:00Z",
            } }));
            expect(unknownSite.statusCode).to.equal(400);
            expect(body(unknownSite).code).to.equal("unknown_reference");
        });

        it("answer 400 for unknown fields, wrong types, bad dates and bodies that are not JSON objects", async () => {
            const bad: [string, unknown][] = [
                ["POST /v1/sites", { name: "X", kind: "mine", latitude: "north", longitude: 1 }],
                ["POST /v1/sites", { name: "X", kind: "mine", latitude: 1, longitude: 1, clientId: world.clientA.id }],
                ["POST /v1/sites", { name: "X", kind: "mine", latitude: 1, longitude: 1, constructor: "x" }],
                ["POST /v1/detectors", { serial: "S", model: "m", firmware: "f", commissionedAt: "soon" }],
                ["POST /v1/deployments", { detectorId: "1", siteId: world.mine.id, projectId: world.projectA.id, startsAt: "2030-01-01T00:00:00Z" }],
                ["POST /v1/sites", "[1,2]"], ["POST /v1/sites", "not json"], ["POST /v1/sites", undefined],
                ["POST /v1/sites", { name: "X", kind: "volcano", latitude: 1, longitude: 1 }],
                ["POST /v1/sites", { kind: "mine", latitude: 1, longitude: 1 }],
            ];
            for (const [routeKey, payload] of bad) {
                const result = await admin(apiEvent(routeKey, { claims: staff(), body: payload }));
                expect(result.statusCode, `${routeKey} ${JSON.stringify(payload)}`).to.equal(400);
                expect(body(result)).to.include({ status: 400, title: "Invalid request" });
            }
        });

        it("answer 404 for an unknown or malformed id and refuse a serial change", async () => {
            const unknown = await admin(apiEvent("PATCH /v1/sites/{id}", { claims: staff(), pathParameters: { id: "00000000-0000-4000-8000-000000000000" }, body: { depthM: 1 } }));
            expect(unknown.statusCode).to.equal(404);
            const malformed = await admin(apiEvent("PATCH /v1/sites/{id}", { claims: staff(), pathParameters: { id: "../sites" }, body: { depthM: 1 } }));
            expect(malformed.statusCode).to.equal(404);
            const serial = await admin(apiEvent("PATCH /v1/detectors/{id}", { claims: staff(), pathParameters: { id: world.d1.id }, body: { serial: "NEW" } }));
            expect(serial.statusCode).to.equal(400);
        });

        it("refuse client users with 403 before reading the body", async () => {
            for (const routeKey of Object.keys(ADMIN_ROUTES)) {
                const result = await admin(apiEvent(routeKey, { claims: asA(), pathParameters: { id: world.mine.id }, body: { name: "Mine 1" } }));
                expect(result.statusCode, routeKey).to.equal(403);
            }
        });
    });

    describe("POST /v1/uploads", () => {
        const checksum = createHash("sha256").update("[]").digest("base64");

        it("gives staff a presigned PUT under incoming/<site>/<file> with the headers to send", async () => {
            const result = await upload(apiEvent("POST /v1/uploads", { claims: staff(), body: {
                siteId: world.mine.id, filename: "MD-T001_2026-01-31.json.gz", contentType: "application/gzip", checksumSha256: checksum,
            } }));
            expect(result.statusCode).to.equal(200);
            const answer = body(result);
            expect(answer).to.include({ method: "PUT", key: `incoming/${world.mine.id}/MD-T001_2026-01-31.json.gz`, expiresInSeconds: 600 });
            expect(answer.headers).to.deep.equal({ "content-type": "application/gzip", "x-amz-checksum-sha256": checksum });
            expect(decodeURIComponent(new URL(answer.url).pathname)).to.equal(`/${answer.key}`);
            expect(signatureMatches(answer.url, "PUT", answer.headers)).to.equal(true);
        });

        it("answers 400 for bad site ids, file names, content types and checksums", async () => {
            const good = { siteId: world.mine.id, filename: "dump.json", contentType: "application/json", checksumSha256: checksum };
            const cases: Record<string, unknown>[] = [
                { ...good, siteId: "../findings" }, { ...good, filename: "../../findings/x.json" }, { ...good, filename: "a/b.json" },
                { ...good, filename: "dump\u0000.json" }, { ...good, filename: "dum\u0440.json" }, { ...good, filename: "%2e%2e" },
                { ...good, contentType: "text/html" }, { ...good, checksumSha256: "abc" }, { ...good, checksumSha256: createHash("md5").update("").digest("base64") },
                { ...good, bucket: "other-bucket" },
            ];
            for (const payload of cases) {
                const result = await upload(apiEvent("POST /v1/uploads", { claims: staff(), body: payload }));
                expect(result.statusCode, JSON.stringify(payload)).to.equal(400);
            }
        });

        it("is refused to client users", async () => {
            const result = await upload(apiEvent("POST /v1/uploads", { claims: asA(), body: { siteId: world.mine.id, filename: "x.json", contentType: "application/json", checksumSha256: checksum } }));
            expect(result.statusCode).to.equal(403);
        });
    });
});
