/**
 * Detector-side compression (issue 17, item 4): a signed record may be sent gzip; the transform
 * recognises it by the gzip magic bytes, inflates it no further than a plain record could be
 * (a gzip bomb is quarantined, not expanded), and converts it exactly as the plain record.
 */
import { expect } from "chai";
import fc from "fast-check";
import { gzipSync } from "zlib";
import { MAX_INFLATED_BYTES, openRecord } from "../../../functions/realtime/envelope";
import { RESPONSE_LIMIT_BYTES, transformBatch } from "../../../functions/realtime/transform";
import { device, FLEET_KEYS, signRecord } from "./devices";
import { arrivalOf, decode, firehoseEvent, ndjson, reading, realisticMinute, sent } from "./fixtures";

const FIREHOSE_UNIT_BYTES = 5 * 1024;
const rowsOf = (event: ReturnType<typeof firehoseEvent>) => {
    const outcome = transformBatch(event, { keys: FLEET_KEYS });
    return { outcome, rows: outcome.response.records.map((r) => decode(r.data)) };
};

describe("functions/realtime: gzip-compressed records", () => {
    it("converts a gzip record to exactly the rows of the same record sent plain", () => {
        const payload = realisticMinute(1).join("\n");
        const plain = rowsOf(firehoseEvent([sent(payload, arrivalOf(0), "MD-0001")]));
        const gzip = rowsOf(firehoseEvent([sent(payload, arrivalOf(0), "MD-0001", { gzip: true })]));
        expect(gzip.rows).to.deep.equal(plain.rows);
        expect(gzip.outcome.stats).to.include({ readingsIn: 60, rowsOut: 60, quarantined: 0 });
    });

    it("holds the documented sizes (schema/telemetry.md): ~326 B a reading, a minute in 4 Firehose units plain, 1 gzip", () => {
        const lines = realisticMinute(1234);
        const payload = `${lines.join("\n")}\n`;
        const perReading = Buffer.byteLength(payload) / lines.length;
        expect(perReading).to.be.within(320, 335);
        const d = device("MD-1234");
        const plain = signRecord(d, payload, arrivalOf(0));
        const gzip = signRecord(d, payload, arrivalOf(0), { gzip: true });
        expect(plain.length - Buffer.byteLength(payload)).to.be.below(200); // the ES256 signature line
        expect(Math.ceil(plain.length / FIREHOSE_UNIT_BYTES)).to.equal(4);
        expect(Math.ceil(gzip.length / FIREHOSE_UNIT_BYTES)).to.equal(1);
        expect(plain.length / gzip.length).to.be.greaterThan(8);
    });

    it("quarantines a gzip bomb as inflated-too-large (one entry) and converts the rest of the batch", () => {
        // 64 MiB of zeros compresses to ~64 KB: far past the 1 MiB a record may inflate to.
        const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
        expect(bomb.length).to.be.below(100 * 1024);
        const { outcome } = rowsOf(firehoseEvent([{ data: bomb, partitionKey: "MD-0001" }, ndjson([reading(2, 1)])]));
        expect(outcome.response.records.map((r) => r.result)).to.deep.equal(["Ok", "Ok"]);
        expect(outcome.quarantine.map((q) => q.kind)).to.deep.equal(["inflated-too-large"]);
        expect(outcome.stats).to.include({ readingsIn: 2, rowsOut: 1, quarantined: 1 });
    });

    it("inflates a record up to the limit and refuses one byte more", () => {
        const exact = gzipSync(Buffer.alloc(MAX_INFLATED_BYTES, 0x20));
        const over = gzipSync(Buffer.alloc(MAX_INFLATED_BYTES + 1, 0x20));
        expect(openRecord(exact)).to.include({ ok: true, gzip: true });
        expect(openRecord(over)).to.include({ ok: false, kind: "inflated-too-large" });
    });

    it("quarantines truncated and corrupt gzip with their reasons", () => {
        const whole = signRecord(device("MD-0001"), ndjson([reading(1, 1)]), arrivalOf(0), { gzip: true });
        const corrupt = Buffer.from(whole);
        corrupt[12] ^= 0xff;
        const { outcome } = rowsOf(firehoseEvent([{ data: whole.subarray(0, whole.length - 10), partitionKey: "MD-0001" }, { data: corrupt, partitionKey: "MD-0001" }]));
        expect(outcome.quarantine.map((q) => q.kind)).to.deep.equal(["truncated-gzip", "corrupt-gzip"]);
    });

    it("keeps the 6 MB response budget when small gzip records inflate to large answers", () => {
        // 40 gzip records of 2,000 readings each inflate to ~650 KB apiece: ~10 MB of base64 CSV.
        const records = Array.from({ length: 40 }, (_, r) => sent(ndjson(Array.from({ length: 2000 }, (_, i) => reading(1 + (r % 9), r * 2000 + i))), arrivalOf(r), undefined, { gzip: true }));
        const event = firehoseEvent(records);
        expect(Buffer.byteLength(JSON.stringify(event))).to.be.below(RESPONSE_LIMIT_BYTES);
        const { outcome } = rowsOf(event);
        expect(Buffer.byteLength(JSON.stringify(outcome.response))).to.be.at.most(RESPONSE_LIMIT_BYTES);
        expect(outcome.stats.failedRecords).to.be.greaterThan(0);
        expect(outcome.stats.readingsIn).to.equal(outcome.stats.rowsOut + outcome.stats.quarantined + outcome.stats.readingsFailed);
    });

    it("property: a batch mixing plain and gzip records converts every reading the same as all-plain, within the limit", () => {
        const record = fc.record({
            detector: fc.integer({ min: 1, max: 9 }),
            count: fc.integer({ min: 0, max: 80 }),
            bad: fc.boolean(),
            gzip: fc.boolean(),
        });
        fc.assert(fc.property(fc.array(record, { maxLength: 10 }), fc.option(fc.integer({ min: 2000, max: 60000 }), { nil: undefined }), (specs, limit) => {
            const payloads = specs.map((s, i) => ndjson([
                ...Array.from({ length: s.count }, (_, k) => reading(s.detector, 100 * i + k)),
                ...(s.bad ? [{ ...reading(s.detector, 100 * i + 99), latitude: 95 }] : []),
            ]));
            const mixed = firehoseEvent(payloads.map((p, i) => sent(p, arrivalOf(i), undefined, { gzip: specs[i].gzip })));
            const plain = firehoseEvent(payloads.map((p, i) => sent(p, arrivalOf(i))));
            const a = transformBatch(mixed, { keys: FLEET_KEYS, maxResponseBytes: limit });
            const b = transformBatch(plain, { keys: FLEET_KEYS, maxResponseBytes: limit });
            expect(a.stats.readingsIn).to.equal(a.stats.rowsOut + a.stats.quarantined + a.stats.readingsFailed);
            if (limit !== undefined && Buffer.byteLength(JSON.stringify(mixed)) <= limit) {
                expect(Buffer.byteLength(JSON.stringify(a.response))).to.be.at.most(limit);
            }
            if (limit === undefined) {
                expect(a.response.records.map((r) => decode(r.data))).to.deep.equal(b.response.records.map((r) => decode(r.data)));
                expect(a.quarantine.map((q) => [q.kind, q.line])).to.deep.equal(b.quarantine.map((q) => [q.kind, q.line]));
            }
        }), { numRuns: 80 });
    });
});
