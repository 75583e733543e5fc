import { expect } from "chai";
import type { TestDatabase } from "../../helpers/db";
import { poolFromUrl } from "../../../functions/registry/connect";
import { handleAccessRequest } from "../../../functions/registry/access-handler";
import * as reg from "../../../functions/registry";
import { worldPerSuite, t, World } from "./fixtures";

describe("registry: access handler (the VPC Lambda's logic)", () => {
    let db: TestDatabase;
    let w: World;
    const logged: unknown[] = [];
    const handle = (request: unknown, pool = db.pool) => handleAccessRequest(() => pool, request, (e) => logged.push(e));

    worldPerSuite((made) => ({ db, w } = made));
    before(async () => {
        await reg.createDeployment(db.pool, { detectorId: w.d1.id, siteId: w.mine.id, projectId: w.projectA.id, startsAt: t("2025-01-01T00:00:00Z"), status: "active" });
    });

    it("answers ownersAt in input order, null where nobody owns the detector", async () => {
        const res = await handle({ op: "ownersAt", args: { pairs: [
            { detector: { serial: w.d1.serial }, at: "2025-02-01T00:00:00Z" },
            { detector: { serial: w.d1.serial }, at: "2024-02-01T00:00:00+10:00" },
            { detector: { id: w.d2.id }, at: "2025-02-01T00:00:00.123Z" },
        ] } });
        expect(res).to.deep.equal({ ok: true, result: [
            { clientId: w.clientA.id, projectId: w.projectA.id, siteId: w.mine.id, deploymentId: (await reg.listDeployments(db.pool, w.clientA.id))[0].id, detectorId: w.d1.id },
            null, null,
        ] });
    });

    it("records data files and findings (idempotently) from JSON arguments", async () => {
        const dataFile = { detector: { serial: w.d1.serial }, s3Key: "incoming/x.json", source: "batch", checksum: "c", rowsIn: 2, rowsOut: 1, rowsQuarantined: 1,
            status: "partial", firstReadingAt: "2025-02-01T00:00:00Z", lastReadingAt: "2025-02-01T01:00:00Z" };
        const a = await handle({ op: "recordDataFile", args: dataFile });
        expect(a.ok && typeof a.result).to.equal("string");
        const finding = { clientId: w.clientA.id, projectId: w.projectA.id, detector: { serial: w.d1.serial }, s3Key: "findings/x.csv",
            periodStart: "2025-02-01T00:00:00Z", periodEnd: "2025-02-01T01:00:00Z", severity: "alert", summary: "cavity", score: 0.9 };
        const first = await handle({ op: "recordFinding", args: finding });
        const again = await handle({ op: "recordFinding", args: finding });
        expect(first.ok && again.ok).to.equal(true);
        expect(again).to.deep.equal({ ok: true, result: { id: (first as any).result.id, created: false } });
    });

    it("rejects unknown ops and bad arguments with a code and message, running nothing", async () => {
        const bad: [unknown, string, RegExp][] = [
            [null, "invalid_argument", /request must be an object/],
            [{ op: "deleteEverything", args: {} }, "invalid_argument", /unknown op; allowed: ownersAt, ownerSpans, recordInference, recordDataFile, recordFinding/],
            [{ op: "__proto__", args: {} }, "invalid_argument", /unknown op/],
            [{ op: "toString", args: {} }, "invalid_argument", /unknown op/],
            [{ op: "ownersAt" }, "invalid_argument", /args must be an object/],
            [{ op: "ownersAt", args: { pairs: "all" } }, "invalid_argument", /args.pairs must be an array/],
            [{ op: "ownersAt", args: { pairs: [{ detector: { serial: "x" }, at: "yesterday" }] } }, "invalid_argument", /pairs\[0\]\.at must be an ISO-8601 time/],
            [{ op: "ownersAt", args: { pairs: [{ detector: { serial: "x" }, at: "2025-02-01T00:00:00" }] } }, "invalid_argument", /ISO-8601 time with zone/],
            [{ op: "ownersAt", args: { pairs: [{ detector: "x", at: "2025-02-01T00:00:00Z" }] } }, "invalid_argument", /detector must be/],
            [{ op: "recordFinding", args: { clientId: "1; DROP TABLE findings", projectId: w.projectA.id, detector: { id: w.d1.id }, s3Key: "k",
                periodStart: "2025-02-01T00:00:00Z", periodEnd: "2025-02-01T01:00:00Z", severity: "info", summary: "s", score: 0.1 } }, "invalid_argument", /client id must be a UUID/],
            [{ op: "recordFinding", args: { clientId: w.clientA.id, projectId: w.projectA.id, detector: { id: w.d1.id }, s3Key: "k",
                periodStart: "2025-02-01T00:00:00Z", periodEnd: "2025-02-01T01:00:00Z", severity: "info", summary: "s", score: "high" } }, "invalid_argument", /score must be a finite number/],
            [{ op: "recordDataFile", args: { detector: { serial: "MD-NONE" }, s3Key: "k", source: "batch", checksum: "c", rowsIn: 1, rowsOut: 1, rowsQuarantined: 0, status: "converted" } },
                "unknown_reference", /unknown detector/],
        ];
        const [[{ n: before }]] = await db.pool.query<any[]>("SELECT (SELECT COUNT(*) FROM findings) + (SELECT COUNT(*) FROM data_files) AS n");
        for (const [request, code, message] of bad) {
            const res = await handle(request);
            expect(res.ok, JSON.stringify(request)).to.equal(false);
            if (!res.ok) {
                expect(res.error.code, JSON.stringify(request)).to.equal(code);
                expect(res.error.message, JSON.stringify(request)).to.match(message);
            }
        }
        const [[{ n: after }]] = await db.pool.query<any[]>("SELECT (SELECT COUNT(*) FROM findings) + (SELECT COUNT(*) FROM data_files) AS n");
        expect(after).to.equal(before);
    });

    it("hides driver failures behind 'unavailable' and logs the detail only to its own log", async () => {
        const broken = poolFromUrl(db.url.replace(/\/[^/]+$/, "/no_such_database_here"), 1);
        try {
            logged.length = 0;
            const res = await handle({ op: "ownersAt", args: { pairs: [{ detector: { serial: "x" }, at: "2025-02-01T00:00:00Z" }] } }, broken);
            expect(res).to.deep.equal({ ok: false, error: { code: "unavailable", message: "the registry is temporarily unavailable" } });
            expect(String((logged[0] as Error).message)).to.match(/no_such_database_here/);
        } finally {
            await broken.end();
        }
    });

    /** Every bad shape, with the exact answer; the pool must not be queried for any of them. */
    it("answers each bad argument shape with invalid_argument naming the field, logging nothing", async () => {
        const noPool = new Proxy({}, { get: () => { throw new Error("the pool was used for a bad request"); } }) as never;
        const ok = "2025-02-01T00:00:00Z";
        const badTime = (what: string) => `${what} must be an ISO-8601 time with zone, e.g. 2025-01-31T12:00:00Z`;
        const day = { serial: "MD-1", firstReadingAt: ok, lastReadingAt: ok };
        const finding = { clientId: "c", projectId: "p", periodStart: ok, periodEnd: ok };
        const table: [unknown, string][] = [
            [{ op: ["ownersAt"], args: {} }, "unknown op; allowed: ownersAt, ownerSpans, recordInference, recordDataFile, recordFinding, deviceKeys, siteDeployments"],
            [{ op: "ownersAt", args: { pairs: [5] } }, "pairs[0] must be an object"],
            [{ op: "ownersAt", args: { pairs: [{ detector: { serial: "x" }, at: ok }, null] } }, "pairs[1] must be an object"],
            [{ op: "ownersAt", args: { pairs: [{ detector: { serial: "x" }, at: Date.parse(ok) }] } }, badTime("pairs[0].at")],
            [{ op: "ownerSpans", args: { serials: "MD-1", from: ok, to: ok } }, "args.serials must be an array"],
            [{ op: "ownerSpans", args: { serials: [], from: "now", to: ok } }, badTime("from")],
            [{ op: "ownerSpans", args: { serials: [], from: ok, to: "2025-02-01" } }, badTime("to")],
            [{ op: "recordInference", args: { detectorDays: [] } }, "args.findings and args.detectorDays must be arrays"],
            [{ op: "recordInference", args: { findings: [] } }, "args.findings and args.detectorDays must be arrays"],
            [{ op: "recordInference", args: { findings: [], detectorDays: [], stream: "s" } }, "stream must be an object"],
            [{ op: "recordInference", args: { findings: [], detectorDays: [], stream: { firstReadingAt: "x", lastReadingAt: ok } } }, badTime("stream.firstReadingAt")],
            [{ op: "recordInference", args: { findings: [], detectorDays: [], stream: { firstReadingAt: ok } } }, badTime("stream.lastReadingAt")],
            [{ op: "recordInference", args: { findings: [finding, 7], detectorDays: [] } }, "findings[1] must be an object"],
            [{ op: "recordInference", args: { findings: [finding, { ...finding, periodStart: "x" }], detectorDays: [] } }, badTime("findings[1].periodStart")],
            [{ op: "recordInference", args: { findings: [finding, { ...finding, periodEnd: "x" }], detectorDays: [] } }, badTime("findings[1].periodEnd")],
            [{ op: "recordInference", args: { findings: [], detectorDays: [day, []] } }, "detectorDays[1] must be an object"],
            [{ op: "recordInference", args: { findings: [], detectorDays: [day, { ...day, firstReadingAt: "x" }] } }, badTime("detectorDays[1].firstReadingAt")],
            [{ op: "recordInference", args: { findings: [], detectorDays: [day, { ...day, lastReadingAt: "x" }] } }, badTime("detectorDays[1].lastReadingAt")],
            [{ op: "recordDataFile", args: { firstReadingAt: "x" } }, badTime("firstReadingAt")],
            [{ op: "recordDataFile", args: { lastReadingAt: 0 } }, badTime("lastReadingAt")],
            [{ op: "recordFinding", args: { periodStart: "x", periodEnd: ok } }, badTime("periodStart")],
            [{ op: "recordFinding", args: { periodStart: ok } }, badTime("periodEnd")],
        ];
        logged.length = 0;
        for (const [request, message] of table) {
            expect(await handle(request, noPool), JSON.stringify(request)).to.deep.equal({ ok: false, error: { code: "invalid_argument", message } });
        }
        expect(logged, "a refused request is the caller's mistake, not the function's").to.deep.equal([]);
    });

    it("answers ownerSpans with ISO times, no endsAt for a deployment still running", async () => {
        const res = JSON.parse(JSON.stringify(await handle({ op: "ownerSpans", args: { serials: [w.d1.serial, w.d2.serial], from: "2025-02-01T00:00:00Z", to: "2025-03-01T00:00:00Z" } })));
        const [deployment] = await reg.listDeployments(db.pool, w.clientA.id);
        expect(res).to.deep.equal({ ok: true, result: [{ serial: w.d1.serial, startsAt: "2025-01-01T00:00:00.000Z",
            owner: { clientId: w.clientA.id, projectId: w.projectA.id, siteId: w.mine.id, deploymentId: deployment.id, detectorId: w.d1.id } }] });
    });

    it("records an inference run from JSON, with or without a stream, and data files whose times are null", async () => {
        const finding = { clientId: w.clientA.id, projectId: w.projectA.id, detector: { serial: w.d1.serial }, detectorCount: 1, rowCount: 3, alertCount: 1,
            s3Key: "findings/run.csv", periodStart: "2025-02-02T00:00:00Z", periodEnd: "2025-02-02T01:00:00Z", severity: "alert", summary: "cavity", score: 0.8 };
        const days = [{ serial: w.d1.serial, firstReadingAt: "2025-02-02T00:00:00Z", lastReadingAt: "2025-02-02T00:59:00Z" }, { serial: "MD-GHOST", firstReadingAt: "2025-02-02T00:00:00Z", lastReadingAt: "2025-02-02T00:01:00Z" }];
        const stream = { s3Key: "streams/run.jsonl", checksum: "c", rowCount: 3, detectorCount: 1, unassignedRows: 0, firstReadingAt: "2025-02-02T00:00:00Z", lastReadingAt: "2025-02-02T00:59:00Z" };
        const withStream = await handle({ op: "recordInference", args: { stream, findings: [finding], detectorDays: days } });
        expect(withStream.ok && (withStream.result as any).unknownDetectors, JSON.stringify(withStream)).to.deep.equal(["MD-GHOST"]);
        expect(withStream.ok && (withStream.result as any).findingIds).to.have.length(1);
        const [[{ n: streams }]] = await db.pool.query<any[]>("SELECT COUNT(*) AS n FROM stream_objects WHERE s3_key = 'streams/run.jsonl' AND first_reading_at IS NOT NULL");
        expect(Number(streams), "the stream object is recorded, with its times").to.equal(1);
        const noStream = await handle({ op: "recordInference", args: { findings: [], detectorDays: [days[0]] } });
        expect(noStream).to.deep.equal({ ok: true, result: { findingIds: [], unknownDetectors: [] } });
        const nullTimes = await handle({ op: "recordDataFile", args: { detector: { serial: w.d1.serial }, s3Key: "incoming/null-times.json", source: "batch", checksum: "c",
            rowsIn: 0, rowsOut: 0, rowsQuarantined: 0, status: "converted", firstReadingAt: null, lastReadingAt: null } });
        expect(nullTimes.ok, JSON.stringify(nullTimes)).to.equal(true);
    });
});
