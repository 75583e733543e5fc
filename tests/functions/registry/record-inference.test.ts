/**
 * recordInference (records.ts): one inference run's findings, detector days and stream object,
 * in statements of at most 500 rows, idempotent on replay.
 */
import { expect } from "chai";
import fc from "fast-check";
import { withTestDatabase, TestDatabase } from "../../helpers/db";
import { recordInference } from "../../../functions/registry/records";
import type { InferenceRecordInput, ProjectFindingInput } from "../../../functions/registry/types";
import { buildWorld, rejection, t, World } from "./fixtures";

/** One statement's rows (records.ts ROWS_PER_STATEMENT): the sizes around it are where batching can break. */
const BATCH = 500;

describe("registry: recordInference", () => {
    let db: TestDatabase;
    let w: World;
    let keys = 0;
    before(async () => {
        db = await withTestDatabase();
        w = await buildWorld(db.pool);
    });
    after(() => db.drop());

    /** A valid project-hour finding with a key no other test uses. */
    const finding = (over: Partial<ProjectFindingInput> = {}): ProjectFindingInput => {
        const periodStart = over.periodStart ?? t("2025-05-01T10:00:00Z");
        return {
            clientId: w.clientA.id, projectId: w.projectA.id, detectorCount: over.detector ? 1 : 2, rowCount: 10, alertCount: 1, s3Key: `findings/inf/${keys++}.csv`,
            periodStart, periodEnd: new Date(periodStart.getTime() + 3_600_000), severity: "info", summary: "s", score: 0.25, ...over,
        };
    };
    const run = (input: Partial<InferenceRecordInput>) => recordInference(db.pool, { findings: [], detectorDays: [], ...input });
    const detectorOf = async (id: string) => (await db.pool.query<any[]>("SELECT detector_id, detector_count, row_count, alert_count FROM findings WHERE id = ?", [id]))[0][0];

    it("refuses input without findings and detectorDays arrays", async () => {
        for (const input of [undefined, {}, { findings: [] }, { detectorDays: [] }, { findings: {}, detectorDays: [] }, { findings: [], detectorDays: "x" }]) {
            expect((await rejection(recordInference(db.pool, input as never))).message, JSON.stringify(input)).to.equal("findings and detectorDays must be arrays");
        }
        expect(await run({})).to.deep.equal({ findingIds: [], unknownDetectors: [] });
    });

    it("records each finding once, ids aligned with the input, across statement boundaries (property)", async () => {
        await fc.assert(fc.asyncProperty(fc.constantFrom(1, 2, BATCH - 1, BATCH, BATCH + 1), fc.integer({ min: 0, max: 3 }), async (n, skew) => {
            const findings = Array.from({ length: n }, (_, i) => finding({ periodStart: new Date(t("2025-05-01T00:00:00Z").getTime() + (i + skew) * 3_600_000), rowCount: i + 1 }));
            const { findingIds } = await run({ findings });
            expect(new Set(findingIds).size).to.equal(n);
            const [rows] = await db.pool.query<any[]>("SELECT id, s3_key, row_count FROM findings WHERE id IN (?)", [findingIds]);
            const byId = new Map(rows.map((r: any) => [r.id, r]));
            findings.forEach((f, i) => expect(byId.get(findingIds[i]), `finding ${i}`).to.deep.equal({ id: findingIds[i], s3_key: f.s3Key, row_count: i + 1 }));
            // A replay (a retried Lambda) returns the same ids and adds nothing, whatever else differs.
            expect((await run({ findings: findings.map((f) => ({ ...f, summary: "replayed" })) })).findingIds).to.deep.equal(findingIds);
            const [[{ n: stored }]] = await db.pool.query<any[]>("SELECT COUNT(*) AS n FROM findings WHERE id IN (?) AND summary = 's'", [findingIds]);
            expect(Number(stored)).to.equal(n);
        }), { numRuns: 6, examples: [[BATCH + 1, 0], [BATCH, 1]] });
    });

    it("two findings of one key differ by period start; one period start may recur under another key", async () => {
        const a = finding({ periodStart: t("2025-05-02T00:00:00Z") });
        const b = { ...a, periodStart: t("2025-05-02T01:00:00Z"), periodEnd: t("2025-05-02T02:00:00Z") };
        const c = finding({ periodStart: a.periodStart });
        const { findingIds } = await run({ findings: [a, b, c] });
        expect(new Set(findingIds).size).to.equal(3);
    });

    it("resolves a finding's detector by id or serial; none stays NULL; an unknown one is refused", async () => {
        const { findingIds: [byId, bySerial, none] } = await run({
            findings: [finding({ detector: { id: w.d2.id } }), finding({ detector: { serial: w.d1.serial } }), finding()],
        });
        expect(await detectorOf(byId)).to.deep.equal({ detector_id: w.d2.id, detector_count: 1, row_count: 10, alert_count: 1 });
        expect((await detectorOf(none)).detector_count).to.equal(2);
        expect((await detectorOf(bySerial)).detector_id).to.equal(w.d1.id);
        expect((await detectorOf(none)).detector_id).to.equal(null);
        for (const detector of [{ serial: "MD-NOBODY" }, { id: "00000000-0000-4000-8000-000000000000" }]) {
            const err = await rejection(run({ findings: [finding({ detector })] }));
            expect(err.message, JSON.stringify(detector)).to.equal("unknown detector");
        }
        expect((await rejection(run({ findings: [finding({ detector: { id: "nope" } })] }))).message).to.equal("detector id must be a UUID");
    });

    it("refuses a finding of no detector, and names each bad field", async () => {
        expect((await rejection(run({ findings: [finding({ detectorCount: 0 })] }))).message).to.equal("detectorCount must be at least 1");
        expect((await run({ findings: [finding({ detectorCount: 1 })] })).findingIds).to.have.length(1);
        const fields: [keyof ProjectFindingInput, unknown, string][] = [
            ["detectorCount", -1, "detectorCount must be a non-negative integer"], ["clientId", "x", "client id must be a UUID"],
            ["projectId", "x", "project id must be a UUID"], ["rowCount", 1.5, "rowCount must be a non-negative integer"],
            ["alertCount", -1, "alertCount must be a non-negative integer"], ["s3Key", 1, "s3Key must be a string"],
            ["periodStart", "2025", "periodStart must be a valid date"], ["periodEnd", null, "periodEnd must be a valid date"],
            ["severity", 1, "severity must be a string"], ["summary", {}, "summary must be a string"], ["score", Infinity, "score must be a finite number"],
        ];
        for (const [field, value, message] of fields) {
            expect((await rejection(run({ findings: [finding(), { ...finding(), [field]: value }] }))).message, field).to.equal(message);
        }
    });

    describe("detector days", () => {
        const dayRow = async (detectorId: string, day: string) => (await db.pool.query<any[]>(
            "SELECT first_reading_at AS first, last_reading_at AS last FROM detector_days WHERE detector_id = ? AND day = ?", [detectorId, day]))[0];

        it("records one row per known detector per UTC day, widened (never narrowed) by later runs", async () => {
            const day = (first: string, last: string) => ({ serial: w.d1.serial, firstReadingAt: t(first), lastReadingAt: t(last) });
            await run({ detectorDays: [day("2025-06-01T10:00:00Z", "2025-06-01T11:00:00Z")] });
            await run({ detectorDays: [day("2025-06-01T10:30:00Z", "2025-06-01T10:40:00Z")] });
            expect(await dayRow(w.d1.id, "2025-06-01")).to.deep.equal([{ first: t("2025-06-01T10:00:00Z"), last: t("2025-06-01T11:00:00Z") }]);
            await run({ detectorDays: [day("2025-06-01T09:00:00Z", "2025-06-01T09:00:00Z"), day("2025-06-01T23:00:00Z", "2025-06-01T23:59:59.999Z")] });
            expect(await dayRow(w.d1.id, "2025-06-01")).to.deep.equal([{ first: t("2025-06-01T09:00:00Z"), last: t("2025-06-01T23:59:59.999Z") }]);
            // The day is the UTC day of the readings, not the server's.
            await run({ detectorDays: [day("2025-06-02T00:00:00Z", "2025-06-02T00:00:00.001Z")] });
            expect(await dayRow(w.d1.id, "2025-06-02")).to.have.length(1);
        });

        it("returns unknown serials sorted and once, and records the known ones beside them", async () => {
            const on = (serial: string) => ({ serial, firstReadingAt: t("2025-06-03T01:00:00Z"), lastReadingAt: t("2025-06-03T02:00:00Z") });
            const result = await run({ detectorDays: [on("MD-7002"), on(w.d2.serial), on("MD-7001"), on("MD-7002")] });
            expect(result.unknownDetectors).to.deep.equal(["MD-7001", "MD-7002"]);
            expect(await dayRow(w.d2.id, "2025-06-03")).to.have.length(1);
            expect((await run({ detectorDays: [on(w.d2.serial)] })).unknownDetectors).to.deep.equal([]);
        });

        it("refuses a day that crosses UTC midnight or runs backwards, at the exact millisecond, naming its input position", async () => {
            const cases: [string, string, boolean][] = [
                ["2025-06-04T23:59:59.999Z", "2025-06-05T00:00:00.000Z", false],
                ["2025-06-04T12:00:00.001Z", "2025-06-04T12:00:00.000Z", false],
                ["2025-06-04T12:00:00.000Z", "2025-06-04T12:00:00.000Z", true],
                ["2025-06-04T00:00:00.000Z", "2025-06-04T23:59:59.999Z", true],
            ];
            for (const [first, last, ok] of cases) {
                // An unknown serial first: the index named is the day's place in the input.
                const days = [{ serial: "MD-7003", firstReadingAt: t(first), lastReadingAt: t(first) }, { serial: w.d1.serial, firstReadingAt: t(first), lastReadingAt: t(last) }];
                const err = await run({ detectorDays: days }).then(() => undefined, (e) => e);
                expect(err?.message, `${first} .. ${last}`).to.equal(ok ? undefined : "detectorDays[1] must lie within one UTC day, first <= last");
            }
        });

        it("names a detector day's bad field by its input position", async () => {
            const good = { serial: w.d1.serial, firstReadingAt: t("2025-06-06T00:00:00Z"), lastReadingAt: t("2025-06-06T00:00:00Z") };
            const cases: [unknown, string][] = [
                [{ ...good, serial: 5 }, "detectorDays[1].serial must be a string"],
                [null, "detectorDays[1].serial must be a string"],
                [{ ...good, firstReadingAt: "x" }, "detectorDays[1].firstReadingAt must be a valid date"],
                [{ ...good, lastReadingAt: undefined }, "detectorDays[1].lastReadingAt must be a valid date"],
            ];
            for (const [day, message] of cases) {
                expect((await rejection(run({ detectorDays: [good, day as never] }))).message, JSON.stringify(day)).to.equal(message);
            }
        });
    });

    describe("stream object", () => {
        const stream = (over: Partial<NonNullable<InferenceRecordInput["stream"]>> = {}) => ({
            s3Key: "curated/stream/2025/06/07/10.parquet", checksum: "c1", rowCount: 100, detectorCount: 3, unassignedRows: 4,
            firstReadingAt: t("2025-06-07T10:00:00Z"), lastReadingAt: t("2025-06-07T10:59:59Z"), ...over,
        });
        const rows = async () => (await db.pool.query<any[]>(
            "SELECT s3_key, checksum, row_count, detector_count, unassigned_rows, first_reading_at, last_reading_at FROM stream_objects"))[0];

        it("records it once per key; a replay rewrites its figures", async () => {
            await run({ stream: stream() });
            await run({ stream: stream({ checksum: "c2", rowCount: 120, detectorCount: 4, unassignedRows: 0, lastReadingAt: t("2025-06-07T10:59:59.5Z") }) });
            expect(await rows()).to.deep.equal([{
                s3_key: "curated/stream/2025/06/07/10.parquet", checksum: "c2", row_count: 120, detector_count: 4, unassigned_rows: 0,
                first_reading_at: t("2025-06-07T10:00:00Z"), last_reading_at: t("2025-06-07T10:59:59.5Z"),
            }]);
        });

        it("names each bad field", async () => {
            const fields: [string, unknown, string][] = [
                ["s3Key", 1, "stream.s3Key must be a string"], ["checksum", null, "stream.checksum must be a string"],
                ["rowCount", -1, "stream.rowCount must be a non-negative integer"], ["detectorCount", 0.5, "stream.detectorCount must be a non-negative integer"],
                ["unassignedRows", "1", "stream.unassignedRows must be a non-negative integer"],
                ["firstReadingAt", 0, "stream.firstReadingAt must be a valid date"], ["lastReadingAt", new Date(Number.NaN), "stream.lastReadingAt must be a valid date"],
            ];
            for (const [field, value, message] of fields) {
                expect((await rejection(run({ stream: stream({ s3Key: `curated/bad/${field}`, [field]: value }) }))).message, field).to.equal(message);
            }
        });
    });
});
