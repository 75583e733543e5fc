/**
 * The transform's response budget (Lambda caps a synchronous response at 6 MB): events whose Ok
 * answers do NOT fit the limit, so the space reserved for later records' ProcessingFailed answers
 * is exercised on every run. The limit is scaled down (maxResponseBytes) to keep events small;
 * its floor is the all-failed response, the analogue of Lambda's own cap on the request (a failed
 * answer is shorter than the record's entry in the request, so a request under 6 MB always leaves
 * room for it). Records are signed by their first reading's device, as detectors send them.
 */
import { expect } from "chai";
import fc from "fast-check";
import { FirehoseResponseRecord, transformBatch } from "../../../functions/realtime/transform";
import { convertRecord } from "../../../functions/telemetry/record";
import { decode, firehoseEvent, ndjson, reading } from "./fixtures";
import { FLEET_KEYS } from "./devices";

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));
/** Records whose data starts with this make the converter throw (a converter fault). */
const FAULT = "FAULT";
/** transformBatch reserves n separators for n entries (JSON has n - 1): it may waste one byte, never overrun. */
const SEPARATOR_SLACK = 1;

const faultyConvert: typeof convertRecord = (data, gate) => {
    if (Buffer.from(data).toString("utf8").startsWith(FAULT)) throw new Error("converter fault");
    return convertRecord(data, gate);
};

const line = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 500 })).map(([d, s]) => JSON.stringify(reading(d, s))) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 500 })).map(([d, s]) => JSON.stringify({ ...reading(d, s), latitude: 999 })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);
const record = fc.oneof(
    { weight: 6, arbitrary: fc.array(line, { minLength: 1, maxLength: 25 }).map((lines) => ndjson(lines)) },
    { weight: 1, arbitrary: fc.constant("") },
    { weight: 1, arbitrary: fc.constant(`${FAULT} ${JSON.stringify(reading(1, 1))}`) },
);
/** Where in [floor, all-Ok size] the limit falls; the exact ends and their neighbours are biased in. */
const position = fc.oneof(
    fc.constantFrom("floor", "floor+1", "full-1", "full", "full+1") as fc.Arbitrary<string>,
    fc.double({ min: 0, max: 1, noNaN: true }).map((x) => String(x)),
);

function limitAt(where: string, floor: number, full: number): number {
    if (where === "floor") return floor;
    if (where === "floor+1") return floor + 1;
    if (where === "full-1") return Math.max(floor, full - 1);
    if (where === "full") return full;
    if (where === "full+1") return full + 1;
    return floor + Math.floor(Number(where) * (full - floor));
}

describe("functions/realtime: the transform's response budget, events larger than the limit", () => {
    it("property: the response always fits, every record is answered once in order, Ok in full or failed, no space wasted, nothing lost", () => {
        fc.assert(fc.property(fc.array(record, { minLength: 1, maxLength: 20 }), position, (datas, where) => {
            const event = firehoseEvent(datas);
            const unlimited = transformBatch(event, { keys: FLEET_KEYS, maxResponseBytes: Infinity, convert: faultyConvert });
            const failedOf = (r: { recordId: string }): FirehoseResponseRecord => ({ recordId: r.recordId, result: "ProcessingFailed", data: "" });
            const floor = bytes({ records: event.records.map(failedOf) });
            // The size at which every record is answered Ok: the reservation assumes each later record
            // may fail, and a failed answer is longer than an Ok answer with few rows, so take the larger.
            const full = bytes({ records: unlimited.response.records.map((r) => (bytes(r) >= bytes(failedOf(r)) ? r : failedOf(r))) });
            const limit = limitAt(where, floor, full);
            const { response, stats, quarantine } = transformBatch(event, { keys: FLEET_KEYS, maxResponseBytes: limit, convert: faultyConvert });

            // Fits, whatever the event's size.
            const size = bytes(response);
            expect(size).to.be.at.most(limit);
            // Every recordId answered exactly once, in request order.
            expect(response.records.map((r) => r.recordId)).to.deep.equal(event.records.map((r) => r.recordId));

            response.records.forEach((answer, i) => {
                const whole = unlimited.response.records[i];
                if (answer.result === "Ok") {
                    // Ok means the record's full answer, never a truncated one.
                    expect(answer).to.deep.equal(whole);
                    return;
                }
                expect(answer.data).to.equal("");
                if (whole.result === "ProcessingFailed") return; // converter fault: failed at any limit
                // Failed only for lack of room: its Ok answer would not have fitted in this response.
                // (Within one byte: the transform counts a separator per entry, one more than JSON has.)
                // The transform decides in order, reserving a failed answer for each later record.
                const swapped = [...response.records.slice(0, i), whole, ...event.records.slice(i + 1).map(failedOf)];
                expect(bytes({ records: swapped }) + SEPARATOR_SLACK, `record ${i} failed although it fitted`).to.be.greaterThan(limit);
            });
            // With room for every Ok answer (plus the slack) nothing is failed for lack of room.
            if (limit >= full + SEPARATOR_SLACK) expect(response).to.deep.equal(unlimited.response);

            // Conservation: every reading is a row, a quarantine line, or inside a failed record Firehose keeps.
            expect(stats.readingsIn).to.equal(stats.rowsOut + stats.quarantined + stats.readingsFailed);
            const rows = response.records.filter((r) => r.result === "Ok").reduce((n, r) => n + decode(r.data).split("\n").filter((l) => l !== "").length, 0);
            expect(rows).to.equal(stats.rowsOut);
            expect(quarantine).to.have.length(stats.quarantined);
            expect(stats.failedRecords).to.equal(response.records.filter((r) => r.result === "ProcessingFailed").length);
        }), { numRuns: 300 });
    });

    it("the reservation holds back room for later records: a large first record fails rather than leave no room for their answers", () => {
        const big = ndjson(Array.from({ length: 200 }, (_, i) => reading(1, i)));
        const smalls = Array.from({ length: 30 }, (_, i) => JSON.stringify(reading(2, i)));
        const event = firehoseEvent([big, ...smalls]);
        const full = transformBatch(event, { keys: FLEET_KEYS, maxResponseBytes: Infinity });
        const failedAnswer = (r: { recordId: string }): FirehoseResponseRecord => ({ recordId: r.recordId, result: "ProcessingFailed", data: "" });
        // One byte short of the big record's Ok answer plus the others' (smallest) failed answers:
        // without the reservation the big record is answered Ok and the later ones overflow.
        const limit = bytes({ records: [full.response.records[0], ...event.records.slice(1).map(failedAnswer)] }) - 1;
        const { response, stats } = transformBatch(event, { keys: FLEET_KEYS, maxResponseBytes: limit });
        expect(bytes(response)).to.be.at.most(limit);
        expect(response.records.map((r) => r.recordId)).to.deep.equal(event.records.map((r) => r.recordId));
        expect(response.records[0].result).to.equal("ProcessingFailed");
        expect(response.records.slice(1)).to.deep.equal(full.response.records.slice(1));
        expect(stats.readingsFailed).to.equal(200);
    });
});
