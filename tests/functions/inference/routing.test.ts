import { expect } from "chai";
import fc from "fast-check";
import { gzipSync } from "zlib";
import * as reg from "../../../functions/registry";
import { ownerAt } from "../../../functions/registry/deployments";
import { MAX_SPAN_SERIALS } from "../../../functions/registry/owner-spans";
import { ownerLookup, resolveOwners } from "../../../functions/inference/routing";
import type { OwnerSpan } from "../../../functions/registry/types";
import { dalRegistry } from "../../../functions/inference/registry-dal";
import { findingsKey, groupFindings, severityOf, FINDING_PERIOD_MS, WARNING_MARGIN } from "../../../functions/inference/findings";
import { readCuratedRows } from "../../../functions/inference/curated";
import { TestDatabase, withTestDatabase } from "../../helpers/db";
import { HEADER, line, row, stream } from "./fixtures";

const T0 = Date.parse("2025-06-01T00:00:00Z");
const HOUR = 3600_000;

/**
 * A registry with two clients, three projects and several deployments per detector: MD-8001
 * moves A1 -> A2 -> B (back to back), MD-8002 has a gap between two A1 deployments, MD-8003 is
 * deployed from +1 h with no end, MD-8004 is registered but never deployed.
 */
async function seed(db: TestDatabase) {
    const p = db.pool;
    const [a, b] = [await reg.createClient(p, { name: "Routing A" }), await reg.createClient(p, { name: "Routing B" })];
    const a1 = await reg.createProject(p, { clientId: a.id, name: "A1" });
    const a2 = await reg.createProject(p, { clientId: a.id, name: "A2" });
    const b1 = await reg.createProject(p, { clientId: b.id, name: "B1" });
    const site = await reg.createSite(p, { name: "Routing site", kind: "mine", latitude: -30, longitude: 120 });
    const det = async (serial: string) => reg.createDetector(p, { serial, model: "mD1", firmware: "1" });
    const [r1, r2, r3] = [await det("MD-8001"), await det("MD-8002"), await det("MD-8003")];
    await det("MD-8004");
    const dep = (d: reg.Detector, project: reg.Project, from: number, to?: number) =>
        reg.createDeployment(p, { detectorId: d.id, siteId: site.id, projectId: project.id, startsAt: new Date(T0 + from), endsAt: to === undefined ? null : new Date(T0 + to) });
    await dep(r1, a1, 0, HOUR);
    await dep(r1, a2, HOUR, 2 * HOUR);
    await dep(r1, b1, 2 * HOUR, 3 * HOUR);
    await dep(r2, a1, 0, HOUR);
    await dep(r2, a1, 2 * HOUR, 3 * HOUR);
    await dep(r3, b1, HOUR);
    return { a, b, a1, a2, b1 };
}

describe("inference: routing readings to owners (real MariaDB registry)", () => {
    let db: TestDatabase;
    before(async () => { db = await withTestDatabase(); await seed(db); });
    after(() => db.drop());

    /** The registry's own per-reading answer (one query per reading): what routing must agree with. */
    const truth = (serial: string, atMs: number) => ownerAt(db.pool, { serial }, new Date(atMs));

    it("routes readings at deployment starts and ends, +-0 and 1 ms, like the registry's per-reading lookup", async () => {
        const edges = [0, HOUR, 2 * HOUR, 3 * HOUR].flatMap((e) => [e - 1, e, e + 1]).filter((t) => t >= 0);
        const readings = ["MD-8001", "MD-8002", "MD-8003", "MD-8004", "MD-8999"].flatMap((detector) => edges.map((t) => ({ detector, atMs: T0 + t })));
        let calls = 0;
        const port = dalRegistry(db.pool);
        const ownerOf = await resolveOwners(readings, (...args) => { calls++; return port.ownerSpans(...args); });
        expect(calls, "one registry call for the whole object").to.equal(1);
        for (const r of readings) {
            const expected = await truth(r.detector, r.atMs);
            expect(ownerOf(r.detector, r.atMs)?.deploymentId, `${r.detector} at T0+${r.atMs - T0} ms`).to.equal(expected?.deploymentId);
        }
        // Spot checks of the rule itself: start inclusive, end exclusive.
        expect(ownerOf("MD-8001", T0 + HOUR - 1)?.projectId).to.not.equal(ownerOf("MD-8001", T0 + HOUR)?.projectId);
        expect(ownerOf("MD-8002", T0 + HOUR), "end is exclusive: the gap starts at the end").to.equal(undefined);
        expect(ownerOf("MD-8003", T0 + HOUR - 1)).to.equal(undefined);
        expect(ownerOf("MD-8003", T0 + HOUR)).to.not.equal(undefined);
    });

    it("agrees with the per-reading lookup for any readings in the window", async () => {
        const port = dalRegistry(db.pool);
        await fc.assert(fc.asyncProperty(
            fc.array(fc.tuple(fc.constantFrom("MD-8001", "MD-8002", "MD-8003", "MD-8004"), fc.integer({ min: -HOUR, max: 4 * HOUR })), { minLength: 1, maxLength: 40 }),
            async (pairs) => {
                const readings = pairs.map(([detector, t]) => ({ detector, atMs: T0 + t }));
                const ownerOf = await resolveOwners(readings, port.ownerSpans);
                for (const r of readings) expect(ownerOf(r.detector, r.atMs)?.deploymentId).to.equal((await truth(r.detector, r.atMs))?.deploymentId);
            }), { numRuns: 30 });
    });

    it("groups findings by the registry's owner (client and project) and UTC hour, for times at the edges and scores in every band", async () => {
        const port = dalRegistry(db.pool);
        const THRESHOLD = 0.8;
        const edge = fc.constantFrom(0, HOUR, 2 * HOUR, 3 * HOUR).chain((e) => fc.constantFrom(e - 1, e, e + 1));
        const time = fc.oneof(edge, fc.integer({ min: -HOUR, max: 4 * HOUR }));
        const score = fc.oneof(fc.constantFrom(THRESHOLD, THRESHOLD - WARNING_MARGIN, THRESHOLD - WARNING_MARGIN - 1e-9), fc.double({ min: 0, max: 1, noNaN: true }));
        await fc.assert(fc.asyncProperty(
            fc.array(fc.tuple(fc.constantFrom("MD-8001", "MD-8002", "MD-8003", "MD-8004"), time, score), { minLength: 1, maxLength: 30 }),
            async (triples) => {
                const rows = triples.map(([detectorId, t, s], i) => ({ detectorId, timestamp: new Date(T0 + t).toISOString(), seq: String(i), score: s }));
                const ownerOf = await resolveOwners(rows.map((r) => ({ detector: r.detectorId, atMs: Date.parse(r.timestamp) })), port.ownerSpans);
                const groups = groupFindings(rows, (r) => ownerOf(r.detectorId, Date.parse(r.timestamp)), "curated/batch/x.csv.gz", THRESHOLD);
                expect(groups.flatMap((g) => g.rows.map((r) => r.seq)).sort(), "every row in exactly one group").to.deep.equal(rows.map((r) => r.seq).sort());
                expect(new Set(groups.map((g) => g.key)).size, "one group per key").to.equal(groups.length);
                for (const g of groups) {
                    const times = g.rows.map((r) => Date.parse(r.timestamp));
                    const hour = Math.floor(times[0] / FINDING_PERIOD_MS) * FINDING_PERIOD_MS;
                    for (const r of g.rows) {
                        const owner = await truth(r.detectorId, Date.parse(r.timestamp));
                        expect(g.owner, `${r.detectorId} at ${r.timestamp}`).to.deep.equal(owner && { clientId: owner.clientId, projectId: owner.projectId });
                        expect(Math.floor(Date.parse(r.timestamp) / FINDING_PERIOD_MS) * FINDING_PERIOD_MS, "same UTC hour").to.equal(hour);
                    }
                    expect(g.key).to.equal(findingsKey(g.owner, hour, g.key.split("/").pop()!));
                    expect(g.periodStart.getTime()).to.equal(Math.min(...times));
                    expect(g.periodEnd.getTime(), "end exclusive, 1 ms after the last reading").to.equal(Math.max(...times) + 1);
                    const scores = g.rows.map((r) => r.score);
                    expect(g.maxScore).to.equal(Math.max(...scores));
                    expect(g.severity).to.equal(severityOf(g.maxScore, THRESHOLD));
                    expect(g.alertCount).to.equal(scores.filter((x) => x >= THRESHOLD).length);
                    expect(g.alertingDetectors).to.deep.equal([...new Set(g.rows.filter((r) => r.score >= THRESHOLD).map((r) => r.detectorId))].sort());
                    expect(g.detectors).to.deep.equal([...new Set(g.rows.map((r) => r.detectorId))].sort());
                }
            }), { numRuns: 30 });
    });

    it("splits a fleet bigger than one call into parallel calls of at most MAX_SPAN_SERIALS", async () => {
        const seen: number[] = [];
        const readings = Array.from({ length: 2 * MAX_SPAN_SERIALS + 1 }, (_, i) => ({ detector: `MD-X${i}`, atMs: T0 }));
        await resolveOwners(readings, async (serials) => { seen.push(serials.length); return []; });
        expect(seen.sort((x, y) => y - x)).to.deep.equal([MAX_SPAN_SERIALS, MAX_SPAN_SERIALS, 1]);
    });

    it("makes exactly one call for exactly MAX_SPAN_SERIALS detectors, and none for no readings", async () => {
        const calls: string[][] = [];
        const record = async (serials: string[]) => { calls.push(serials); return []; };
        await resolveOwners(Array.from({ length: MAX_SPAN_SERIALS }, (_, i) => ({ detector: `MD-Y${i}`, atMs: T0 })), record);
        expect(calls.map((c) => c.length)).to.deep.equal([MAX_SPAN_SERIALS]);
        calls.length = 0;
        const ownerOf = await resolveOwners([], record);
        expect(calls, "no readings, no registry call").to.deep.equal([]);
        expect(ownerOf("MD-8001", T0)).to.equal(undefined);
    });

    it("refuses to ask for more than MAX_SPAN_SERIALS detectors at once", async () => {
        const error = await reg.listDetectors(db.pool, (await reg.createClient(db.pool, { name: "Routing C" })).id)
            .then(() => dalRegistry(db.pool).ownerSpans(Array.from({ length: MAX_SPAN_SERIALS + 1 }, (_, i) => `S${i}`), new Date(T0), new Date(T0)))
            .catch((e) => e);
        expect(error.code).to.equal("invalid_argument");
    });
});

describe("inference: owner lookup over spans in any order", () => {
    /** Back-to-back or gapped spans of one detector (the registry refuses overlaps), open-ended last. */
    const spansArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 5 })), { minLength: 1, maxLength: 8 }).map((steps) => {
        const spans: OwnerSpan[] = [];
        let t = 0;
        steps.forEach(([gap, length], i) => {
            const startsAt = t + gap;
            t = startsAt + length;
            const open = i === steps.length - 1 && gap === 0;
            spans.push({ serial: "MD-1", startsAt: new Date(startsAt), endsAt: open ? undefined : new Date(t), owner: { clientId: "c", projectId: `p${i}`, siteId: "s", deploymentId: `d${i}`, detectorId: "MD-1" } });
        });
        return spans;
    });
    /** The rule itself, by linear scan: start inclusive, end exclusive. */
    const oracle = (spans: OwnerSpan[], at: number) =>
        spans.find((s) => s.startsAt.getTime() <= at && (s.endsAt === undefined || at < s.endsAt.getTime()))?.owner.deploymentId;

    it("finds the covering span at every instant, whatever order the registry returns spans in", () => {
        fc.assert(fc.property(spansArb.chain((spans) => fc.tuple(fc.constant(spans), fc.shuffledSubarray(spans, { minLength: spans.length }))), ([spans, shuffled]) => {
            const ownerOf = ownerLookup(shuffled);
            const end = spans[spans.length - 1].startsAt.getTime() + 10;
            for (let at = -1; at <= end; at++) expect(ownerOf("MD-1", at)?.deploymentId, `at ${at}`).to.equal(oracle(spans, at));
            expect(ownerOf("MD-2", 0)).to.equal(undefined);
        }));
    });
});

describe("inference: severity bands", () => {
    it("alert at or above the threshold, warning within WARNING_MARGIN below, info under", () => {
        fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.2, max: 1, noNaN: true }), (score, threshold) => {
            const band = severityOf(score, threshold);
            if (score >= threshold) return band === "alert";
            if (score >= threshold - WARNING_MARGIN) return band === "warning";
            return band === "info";
        }));
        expect(severityOf(0.8, 0.8)).to.equal("alert");
        expect(severityOf(0.8 - Number.EPSILON, 0.8)).to.equal("warning");
        expect(severityOf(0.75, 0.8)).to.equal("warning");
        expect(severityOf(0.69, 0.8)).to.equal("info");
    });
});

describe("inference: curated objects with and without a final newline", () => {
    const rows = [row("MD-8001", new Date(T0), 1), row("MD-8001", new Date(T0 + 1000), 2)];
    const read = async (text: string) => { const out = []; for await (const r of readCuratedRows(stream(gzipSync(text)))) out.push(r); return out; };

    it("reads the same rows either way, and CRLF line ends too", async () => {
        const body = `${HEADER}\n${rows.map(line).join("\n")}`;
        expect(await read(`${body}\n`)).to.deep.equal(rows);
        expect(await read(body)).to.deep.equal(rows);
        expect(await read(`${HEADER}\r\n${rows.map(line).join("\r\n")}`)).to.deep.equal(rows);
    });

    it("still refuses a truncated last line (no newline is not a licence to cut a row)", async () => {
        const body = `${HEADER}\n${line(rows[0])}\n${line(rows[1]).slice(0, 30)}`;
        const error = await read(body).catch((e) => e);
        expect(error.message).to.match(/line 3: expected 11 fields/);
    });
});
