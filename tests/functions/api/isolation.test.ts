/**
 * Tenant isolation, adversarially: client A's user sends generated ids, paths and encodings at
 * every route. Nothing of client B may come back, and a finding that exists for B must be
 * answered byte-for-byte like one that exists for nobody.
 */
import { expect } from "chai";
import * as fc from "fast-check";
import { ADMIN_ROUTES } from "../../../functions/api/admin-routes";
import { DOWNLOAD_ROUTES, READ_ROUTES } from "../../../functions/api/client-routes";
import { ApiResult } from "../../../functions/api/http";
import { isPresignRefused, presignClient, presignDownload } from "../../../functions/api/presign";
import * as reg from "../../../functions/registry";
import { UPLOAD_ROUTES } from "../../../functions/api/upload-routes";
import { withTestDatabase, TestDatabase } from "../../helpers/db";
import { ApiWorld, CREDENTIALS, REGION, apiEvent, body, buildApiWorld, claims } from "./fixtures";
import { contractRouter } from "./contract";

/** Generated attempts per property. */
const RUNS = 120;
const ABSENT = "00000000-0000-4000-8000-000000000000";

/** Characters that look like UUID characters but are not ASCII (Cyrillic, fullwidth, mathematical digits, dashes). */
const LOOK_ALIKES: Record<string, string[]> = {
    a: ["\u0430", "\uff41"], c: ["\u0441", "\uff43"], e: ["\u0435", "\uff45"], "0": ["\u041e", "\uff10", "\u1d7ce"], "1": ["\u0399", "\uff11"],
    "-": ["\u2010", "\u2011", "\u2212", "\uff0d"],
};

function spoofs(id: string): fc.Arbitrary<string> {
    const lookAlike = fc.nat({ max: id.length - 1 }).chain((i) => {
        const options = LOOK_ALIKES[id[i]];
        return options ? fc.constantFrom(...options).map((c) => id.slice(0, i) + c + id.slice(i + 1)) : fc.constant(id.toUpperCase());
    });
    return fc.oneof(
        fc.constant(id),
        lookAlike,
        fc.constantFrom(
            id.toUpperCase(), ` ${id}`, `${id}/`, `/${id}`, `${id}%00`, `${id}\u0000`, `../${id}`, `..%2f${id}`, `%2e%2e/${id}`, `%2e%2e%2f${id}`,
            `..\\${id}`, `${id}/..`, `//${id}`, `.%2e/${id}`, encodeURIComponent(`../${id}`), `${id}?x=1`, `${id}#`, `{${id}}`,
            id.replace(/-/g, ""), `${id.slice(0, -1)}`, `${id}0`,
        ),
    );
}

describe("functions/api: tenant isolation (generated cross-tenant attempts)", () => {
    let db: TestDatabase;
    let world: ApiWorld;
    const silent = { error: () => undefined };
    const s3 = presignClient({ region: REGION, credentials: CREDENTIALS });
    let read: (e: any) => Promise<ApiResult>;
    let download: (e: any) => Promise<ApiResult>;
    let admin: (e: any) => Promise<ApiResult>;
    let upload: (e: any) => Promise<ApiResult>;
    /** Everything of B that must never reach A: ids and keys. */
    let secrets: string[];
    /** B's finding filed under A's key prefix: only the registry's tenant filter keeps it from A (the presign check would sign it). */
    let misfiled: string;

    before(async () => {
        db = await withTestDatabase();
        world = await buildApiWorld(db.pool);
        read = contractRouter(READ_ROUTES, async () => ({ pool: db.pool }), silent);
        download = contractRouter(DOWNLOAD_ROUTES, async () => ({ pool: db.pool, s3, bucket: "lake", expiresIn: 900, log: silent }), silent);
        admin = contractRouter(ADMIN_ROUTES, async () => ({ pool: db.pool }), silent);
        upload = contractRouter(UPLOAD_ROUTES, async () => ({ s3, bucket: "lake", expiresIn: 900 }), silent);
        ({ id: misfiled } = await reg.recordFinding(db.pool, {
            clientId: world.clientB.id, projectId: world.projectB.id, detector: { id: world.d2.id },
            s3Key: `findings/${world.clientA.id}/${world.projectA.id}/misfiled.csv`, periodStart: new Date("2026-01-09T00:00:00Z"),
            periodEnd: new Date("2026-01-09T01:00:00Z"), severity: "alert", summary: "misfiled", score: 0.9,
        }));
        secrets = [world.clientB.id, world.projectB.id, world.d2.id, "MD-9002", world.tunnel.id, misfiled,
            ...world.findingsB.flatMap((f) => [f.id, f.s3Key])];
    });
    after(async () => {
        await db?.drop();
    });

    const asA = () => claims({ clientId: world.clientA.id });
    const leaks = (result: ApiResult) => secrets.filter((s) => result.body.includes(s) || JSON.stringify(result.headers).includes(s));
    /** Ids of B's rows, absent rows and A's own (any of which may be spoofed). */
    const targetIds = () => fc.constantFrom(...world.findingsB.map((f) => f.id), misfiled, world.clientB.id, world.projectB.id, world.d2.id, ABSENT,
        "7b1d9c2e-3f4a-4b5c-8d6e-7f8091a2b3c4");
    const bFindings = () => [...world.findingsB.map((f) => f.id), misfiled];

    for (const routeKey of ["GET /v1/findings/{id}/download", "GET /v1/findings/{id}"]) {
        it(`${routeKey}: another client's finding and a missing one get byte-identical 404s, whatever the id encoding`, async () => {
            const handle = routeKey.endsWith("download") ? download : read;
            const reference = await handle(apiEvent(routeKey, { claims: asA(), pathParameters: { id: ABSENT } }));
            expect(reference.statusCode).to.equal(404);
            let exact = 0;
            // The download answers alike in every format: a JSON request must not convert (or reveal) B's object either.
            const formatValues = routeKey.endsWith("download") ? [undefined, "csv", "json"] : [undefined];
            // The attack itself (each of B's exact ids in each format) is always tried, not left to the generator's luck;
            // the generated spoofs come on top of it.
            const attacks = bFindings().flatMap((id) => formatValues.map((format): [string, string | undefined] => [id, format]));
            await fc.assert(fc.asyncProperty(targetIds().chain(spoofs), fc.constantFrom(...formatValues), async (id, format) => {
                if (bFindings().includes(id)) exact++;
                const result = await handle(apiEvent(routeKey, { claims: asA(), pathParameters: { id }, query: format ? { format } : undefined }));
                expect(JSON.stringify(result), `${id} ${format}`).to.equal(JSON.stringify(reference));
            }), { numRuns: RUNS + attacks.length, examples: attacks });
            expect(exact, "attempts with B's exact finding ids").to.be.at.least(attacks.length);
        });
    }

    it("layer 1, the registry alone: B's finding is not A's, even when its key sits under A's prefix (presign would sign it)", async () => {
        const prefixA = `findings/${world.clientA.id}/`;
        const signed = await presignDownload(s3, { bucket: "lake", key: `${prefixA}${world.projectA.id}/misfiled.csv`, clientId: world.clientA.id, expiresIn: 900 });
        expect(signed, "the presign layer alone would not stop this one").to.be.a("string");
        await fc.assert(fc.asyncProperty(fc.constantFrom(...bFindings()), async (id) => {
            expect(await reg.getFinding(db.pool, world.clientA.id, id)).to.equal(undefined);
            expect(await reg.getFinding(db.pool, world.clientB.id, id), "B still sees it").to.not.equal(undefined);
        }), { numRuns: 20 });
    });

    it("layer 2, the presign check alone: a key outside findings/<caller>/ is never signed, whatever the registry returned", async () => {
        const keys = fc.oneof(
            fc.constantFrom(...world.findingsB.map((f) => f.s3Key)),
            fc.constantFrom(...world.findingsB.map((f) => f.s3Key)).map((k) => k.replace(world.clientB.id, `${world.clientA.id}/..`)),
            targetIds().chain(spoofs).map((id) => `findings/${id}/x.csv`).filter((k) => !k.startsWith(`findings/${world.clientA.id}/`)),
            fc.constant(`findings/${world.clientA.id}/../${world.clientB.id}/x.csv`),
            fc.constant(`findings/${world.clientA.id}//x.csv`),
        );
        await fc.assert(fc.asyncProperty(keys, async (key) => {
            const error = await presignDownload(s3, { bucket: "lake", key, clientId: world.clientA.id, expiresIn: 900 }).then(() => undefined, (e) => e);
            expect(isPresignRefused(error), key).to.equal(true);
        }), { numRuns: RUNS });
    });

    it("lists: B's project, detector, dates and forged cursors never return B's rows", async () => {
        const filters = fc.record({
            projectId: fc.option(fc.oneof(fc.constant(world.projectB.id), targetIds().chain(spoofs)), { nil: undefined }),
            detectorId: fc.option(fc.constantFrom(world.d2.id, world.d1.id, ABSENT), { nil: undefined }),
            severity: fc.option(fc.constantFrom("alert", "info", "warning"), { nil: undefined }),
            from: fc.option(fc.constantFrom("2026-01-01", "2026-01-07T00:00:00Z", "1970-01-01"), { nil: undefined }),
            cursor: fc.option(fc.oneof(
                // B's keyset position wrapped as if the API had issued it to A (unscoped).
                fc.constant(Buffer.from(JSON.stringify({ v: 1, s: "x", k: Buffer.from(JSON.stringify({ t: Date.parse("2026-01-08"), id: world.findingsB[2].id })).toString("base64url") })).toString("base64url")),
                fc.string({ maxLength: 40 }),
            ), { nil: undefined, freq: 2 }),
        }, { requiredKeys: [] });
        // The findings list takes these filters; the other lists take none, so they get only the path spoof.
        const routes = fc.constantFrom("GET /v1/findings", "GET /v1/findings", "GET /v1/findings", "GET /v1/findings", "GET /v1/findings", "GET /v1/detectors", "GET /v1/deployments", "GET /v1/projects", "GET /v1/sites");
        let exact = 0;
        await fc.assert(fc.asyncProperty(routes, filters, async (routeKey, query) => {
            const defined = routeKey === "GET /v1/findings"
                ? Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as Record<string, string> : {};
            const result = await read(apiEvent(routeKey, { claims: asA(), query: defined, pathParameters: { clientId: world.clientB.id } }));
            if (result.statusCode === 200 && (defined.projectId === world.projectB.id || defined.detectorId === world.d2.id)) exact++;
            expect(leaks(result), `${routeKey} ${JSON.stringify(defined)}`).to.deep.equal([]);
            expect([200, 400]).to.include(result.statusCode);
        }), { numRuns: RUNS });
        // About 18 expected (5/9 findings route x 1/2 no cursor x 0.55 B's exact id); 5 leaves no room for flakiness.
        expect(exact, "answered attempts naming B's exact project or detector").to.be.at.least(5);
    });

    it("claims: a client_id claim that is spoofed, unknown or malformed sees nothing of B", async () => {
        const routes = fc.constantFrom(...Object.keys(READ_ROUTES), ...Object.keys(DOWNLOAD_ROUTES));
        const clientClaim = fc.oneof(spoofs(world.clientB.id).filter((s) => s !== world.clientB.id), fc.constant(ABSENT), fc.string({ maxLength: 40 }));
        await fc.assert(fc.asyncProperty(routes, clientClaim, targetIds(), fc.constantFrom("csv", "json"), async (routeKey, clientId, id, format) => {
            const handle = routeKey.includes("download") ? download : read;
            const query = routeKey.includes("download") ? { format } : undefined;
            const result = await handle(apiEvent(routeKey, { claims: claims({ clientId }), pathParameters: { id }, query }));
            expect(leaks(result), `${routeKey} as ${JSON.stringify(clientId)}`).to.deep.equal([]);
            if (result.statusCode === 200) expect(body(result).items ?? [], "an unknown client owns nothing").to.deep.equal([]);
        }), { numRuns: RUNS });
    });

    it("staff routes: a client user is refused identically, whatever ids and bodies it sends", async () => {
        const reference = await admin(apiEvent("POST /v1/sites", { claims: asA(), body: {} }));
        expect(reference.statusCode).to.equal(403);
        const routes = fc.constantFrom(...Object.keys(ADMIN_ROUTES), ...Object.keys(UPLOAD_ROUTES));
        const payload = fc.dictionary(fc.constantFrom("name", "siteId", "detectorId", "projectId", "filename", "clientId", "custom:client_id", "cognito:groups"),
            fc.oneof(targetIds().chain(spoofs), fc.constant("[staff]")));
        await fc.assert(fc.asyncProperty(routes, targetIds().chain(spoofs), payload, async (routeKey, id, fields) => {
            const handle = routeKey.includes("uploads") ? upload : admin;
            const result = await handle(apiEvent(routeKey, { claims: asA(), pathParameters: { id }, body: fields }));
            expect(JSON.stringify(result), routeKey).to.equal(JSON.stringify(reference));
        }), { numRuns: RUNS });
    });

    it("and A still reaches its own findings (the denials above are not a broken route)", async () => {
        const own = await download(apiEvent("GET /v1/findings/{id}/download", { claims: asA(), pathParameters: { id: world.findingsA[0].id } }));
        expect(own.statusCode).to.equal(200);
        const other = await download(apiEvent("GET /v1/findings/{id}/download", { claims: claims({ clientId: world.clientB.id }), pathParameters: { id: world.findingsB[0].id } }));
        expect(other.statusCode).to.equal(200);
    });
});
