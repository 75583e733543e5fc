/**
 * records.ts: what each write refuses and how it names the field, the page size limits at their
 * exact bounds, and recordInference's batches, detector days and stream object.
 */
import { expect } from "chai";
import fc from "fast-check";
import { withTestDatabase, TestDatabase } from "../../helpers/db";
import * as reg from "../../../functions/registry";
import { recordInference } from "../../../functions/registry/records";
import { buildWorld, rejection, t, World } from "./fixtures";

/** A value of the wrong kind for each checker: requireText / requireCount / requireDate / requireId / requireNumber. */
const BAD = { text: 42, count: -1, date: new Date("x"), id: "not-a-uuid", number: Number.NaN } as const;
const MESSAGE = {
    text: "must be a string", count: "must be a non-negative integer", date: "must be a valid date", id: "must be a UUID", number: "must be a finite number",
} as const;
type Kind = keyof typeof BAD;

/** Each field (as the message names it) set to a bad value of its kind is refused with `<name> <rule>`. */
async function expectEachFieldNamed<T extends object>(valid: T, fields: [keyof T & string, Kind, string?][], call: (input: T) => Promise<unknown>) {
    for (const [field, kind, name = field] of fields) {
        const err = await rejection(call({ ...valid, [field]: BAD[kind] }));
        expect(err.message, field).to.equal(`${name} ${MESSAGE[kind]}`);
        expect(err.code, field).to.equal("invalid_argument");
    }
}

describe("registry: records", () => {
    let db: TestDatabase;
    let w: World;
    before(async () => {
        db = await withTestDatabase();
        w = await buildWorld(db.pool);
    });
    after(() => db.drop());

    const dataFile = (): reg.DataFileInput => ({
        detector: { serial: w.d1.serial }, s3Key: "incoming/x.json.gz", source: "batch", checksum: "c", rowsIn: 1, rowsOut: 1, rowsQuarantined: 0,
        status: "converted", firstReadingAt: t("2025-04-01T00:00:00Z"), lastReadingAt: t("2025-04-01T01:00:00Z"),
    });
    const finding = (): reg.FindingInput => ({
        clientId: w.clientA.id, projectId: w.projectA.id, detector: { id: w.d1.id }, s3Key: "findings/x.csv",
        periodStart: t("2025-04-01T00:00:00Z"), periodEnd: t("2025-04-01T01:00:00Z"), severity: "info", summary: "s", score: 0.5,
    });

    describe("refusals name the field", () => {
        it("recordDataFile", async () => {
            await expectEachFieldNamed(dataFile(), [
                ["s3Key", "text"], ["source", "text"], ["checksum", "text"], ["rowsIn", "count"], ["rowsOut", "count"],
                ["rowsQuarantined", "count"], ["status", "text"], ["firstReadingAt", "date"], ["lastReadingAt", "date"],
            ], (input) => reg.recordDataFile(db.pool, input));
            expect((await rejection(reg.recordDataFile(db.pool, { ...dataFile(), detector: { serial: "MD-NOBODY" } }))).message).to.equal("unknown detector");
        });

        it("recordFinding", async () => {
            await expectEachFieldNamed(finding(), [
                ["clientId", "id", "client id"], ["projectId", "id", "project id"], ["s3Key", "text"], ["periodStart", "date"], ["periodEnd", "date"],
                ["severity", "text"], ["summary", "text"], ["score", "number"],
            ], (input) => reg.recordFinding(db.pool, input));
        });

        it("recordCalibration", async () => {
            const valid = { detectorId: w.d1.id, calibratedAt: t("2025-01-01T00:00:00Z"), coefficients: { gain: 1 } };
            await expectEachFieldNamed(valid, [["detectorId", "id", "detector id"], ["calibratedAt", "date"]],
                (input) => reg.recordCalibration(db.pool, input));
        });
    });

    it("counts accept 0 and refuse -1 and fractions", async () => {
        for (const [rowsQuarantined, ok] of [[0, true], [-1, false], [0.5, false]] as const) {
            const input = { ...dataFile(), s3Key: `counts/${rowsQuarantined}`, rowsQuarantined };
            const err = await reg.recordDataFile(db.pool, input).then(() => undefined, (e) => e);
            expect(err?.message, String(rowsQuarantined)).to.equal(ok ? undefined : "rowsQuarantined must be a non-negative integer");
        }
    });

    it("stores a calibration's notes, and NULL without them", async () => {
        const notes = await reg.recordCalibration(db.pool, { detectorId: w.d2.id, calibratedAt: t("2025-01-02T00:00:00Z"), coefficients: {}, notes: "bench" });
        const none = await reg.recordCalibration(db.pool, { detectorId: w.d2.id, calibratedAt: t("2025-01-03T00:00:00Z"), coefficients: {} });
        const [rows] = await db.pool.query<any[]>("SELECT id, notes FROM calibrations WHERE id IN (?)", [[notes, none]]);
        expect(Object.fromEntries(rows.map((r: any) => [r.id, r.notes]))).to.deep.equal({ [notes]: "bench", [none]: null });
    });

    describe("listing findings: page size", () => {
        let client: reg.Client;
        let project: reg.Project;
        /** More than MAX_PAGE_SIZE findings, so every limit up to it can fill a page. */
        const COUNT = reg.MAX_PAGE_SIZE + 1;
        before(async () => {
            client = await reg.createClient(db.pool, { name: "Page size client" });
            project = await reg.createProject(db.pool, { clientId: client.id, name: "p" });
            const base = t("2025-09-01T00:00:00Z").getTime();
            await recordInference(db.pool, {
                detectorDays: [],
                findings: Array.from({ length: COUNT }, (_, i) => ({
                    clientId: client.id, projectId: project.id, detector: i % 2 ? { serial: w.d1.serial } : undefined, detectorCount: 1, rowCount: 1, alertCount: 0,
                    s3Key: `findings/size/${i}.csv`, periodStart: new Date(base + i * 3_600_000), periodEnd: new Date(base + (i + 1) * 3_600_000),
                    severity: i % 3 ? "info" : "warning", summary: "s", score: 0,
                })),
            });
        });

        it(`defaults to ${reg.DEFAULT_PAGE_SIZE} and accepts exactly 1-${reg.MAX_PAGE_SIZE}`, async () => {
            const page = await reg.listFindings(db.pool, client.id);
            expect(page.items).to.have.length(reg.DEFAULT_PAGE_SIZE);
            expect(page.nextCursor).to.be.a("string");
            for (const limit of [1, 2, reg.MAX_PAGE_SIZE - 1, reg.MAX_PAGE_SIZE]) {
                const p = await reg.listFindings(db.pool, client.id, { limit });
                expect(p.items, `limit ${limit}`).to.have.length(limit);
                expect(p.nextCursor, `limit ${limit}`).to.be.a("string");
            }
            for (const limit of [0, -1, reg.MAX_PAGE_SIZE + 1, 1.5, Number.NaN]) {
                expect((await rejection(reg.listFindings(db.pool, client.id, { limit }))).message, `limit ${limit}`).to.equal(`limit must be 1-${reg.MAX_PAGE_SIZE}`);
            }
        });

        it("a page holding the last finding has no cursor, however the rest divides (property)", async () => {
            await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: reg.MAX_PAGE_SIZE }), async (limit) => {
                let cursor: string | undefined;
                let seen = 0;
                do {
                    const page = await reg.listFindings(db.pool, client.id, { limit, cursor });
                    expect(page.items.length).to.be.at.most(limit).and.at.least(1);
                    seen += page.items.length;
                    cursor = page.nextCursor;
                    expect(cursor === undefined).to.equal(seen === COUNT);
                } while (cursor);
            }), { numRuns: 8, examples: [[reg.MAX_PAGE_SIZE], [1]] });
        });

        it("filters by severity, and names each finding's detector serial (null without one)", async () => {
            const warnings = (await reg.listFindings(db.pool, client.id, { severity: "warning", limit: reg.MAX_PAGE_SIZE })).items;
            expect(warnings).to.have.length(Math.ceil(COUNT / 3));
            expect(warnings.every((f) => f.severity === "warning")).to.equal(true);
            expect((await rejection(reg.listFindings(db.pool, client.id, { severity: 7 as never }))).message).to.equal("severity must be a string");
            const items = (await reg.listFindings(db.pool, client.id, { limit: 4 })).items;
            expect(items.map((f) => [f.detectorId, f.detectorSerial])).to.have.deep.members([[w.d1.id, w.d1.serial], [w.d1.id, w.d1.serial], [null, null], [null, null]]);
        });
    });
});
