import { expect } from "chai";
import fc from "fast-check";
import { CSV_COLUMNS } from "../../../functions/telemetry/contract";
import { CSV_HEADER } from "../../../functions/telemetry/csv";
import { RESPONSE_LIMIT_BYTES, transformBatch } from "../../../functions/realtime/transform";
import { decode, firehoseEvent, ndjson, reading } from "./fixtures";
import { FLEET_KEYS } from "./devices";

const rowsOf = (data: string): string[] => decode(data).split("\n").filter((l) => l !== "");

describe("functions/realtime: Firehose transform", () => {
    it("turns a single reading into one headerless CSV row ending in a newline", () => {
        const { response, quarantine, stats } = transformBatch(firehoseEvent([JSON.stringify(reading(1, 7))]), { keys: FLEET_KEYS });
        expect(response.records).to.have.length(1);
        const [answer] = response.records;
        expect(answer.result).to.equal("Ok");
        const text = decode(answer.data);
        expect(text.endsWith("\n")).to.equal(true);
        const rows = rowsOf(answer.data);
        expect(rows).to.have.length(1);
        expect(rows[0]).to.not.equal(CSV_HEADER);
        expect(rows[0].split(",")).to.have.length(CSV_COLUMNS.length);
        expect(rows[0].startsWith("MD-0001,")).to.equal(true);
        expect(quarantine).to.deep.equal([]);
        expect(stats).to.include({ readingsIn: 1, rowsOut: 1, quarantined: 0, failedRecords: 0 });
    });

    it("splits a device-batched record of 60 NDJSON readings into 60 rows, in order", () => {
        const batch = Array.from({ length: 60 }, (_, i) => reading(3, 100 + i));
        const { response, stats } = transformBatch(firehoseEvent([ndjson(batch), ndjson(batch.map((r) => ({ ...r, detector_id: "MD-0004" })))]), { keys: FLEET_KEYS });
        expect(response.records.map((r) => r.result)).to.deep.equal(["Ok", "Ok"]);
        const rows = rowsOf(response.records[0].data);
        expect(rows).to.have.length(60);
        expect(rows.map((r) => Number(r.split(",")[2]))).to.deep.equal(batch.map((r) => r.seq));
        expect(stats).to.include({ readingsIn: 120, rowsOut: 120 });
    });

    it("concatenates records into a valid CSV body (what Firehose writes into one object)", () => {
        const { response } = transformBatch(firehoseEvent([ndjson([reading(1, 1), reading(1, 2)]), JSON.stringify(reading(2, 1))]), { keys: FLEET_KEYS });
        const body = response.records.map((r) => decode(r.data)).join("");
        expect(body.split("\n")).to.have.length(4); // 3 rows and the final newline
    });

    const good = reading(9, 1);
    const bad: Array<[string, string | Buffer]> = [
        ["malformed-json", '{"detector_id": "MD-0009", '],
        ["not-an-object", "[1, 2]"],
        ["missing-field", JSON.stringify({ ...reading(9, 2), depth_m: undefined })],
        ["unknown-field", JSON.stringify({ ...reading(9, 2), colour: "red" })],
        ["wrong-type", JSON.stringify({ ...reading(9, 2), muon_count: "forty" })],
        ["out-of-range", JSON.stringify({ ...reading(9, 2), latitude: 91 })],
        ["bad-format", JSON.stringify({ ...reading(9, 2), detector_id: "detector-9" })],
        ["duplicate", JSON.stringify(good)],
        ["invalid-utf8", Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
        ["line-too-long", JSON.stringify({ ...reading(9, 2), note: "x".repeat(1024 * 1024) })],
    ];
    for (const [kind, line] of bad) {
        it(`keeps the good reading in Ok and quarantines a ${kind} reading of the same record with its reason`, () => {
            const data = Buffer.concat([Buffer.from(JSON.stringify(good) + "\n"), Buffer.from(line)]);
            const event = firehoseEvent([data]);
            const { response, quarantine, stats } = transformBatch(event, { keys: FLEET_KEYS });
            expect(response.records).to.have.length(1);
            expect(response.records[0].result).to.equal("Ok");
            expect(rowsOf(response.records[0].data)).to.have.length(1);
            expect(quarantine).to.have.length(1);
            const [q] = quarantine;
            expect(q.kind).to.equal(kind);
            expect(q.line).to.equal(2);
            expect(q.reason).to.be.a("string").and.not.equal("");
            expect(q.raw.length).to.be.greaterThan(0);
            expect(q).to.include({ shardId: "shardId-000000000000", sequenceNumber: event.records[0].kinesisRecordMetadata!.sequenceNumber, partitionKey: "MD-0009" });
            expect(q.arrival).to.equal(new Date(event.records[0].approximateArrivalTimestamp).toISOString());
            expect(stats).to.include({ readingsIn: 2, rowsOut: 1, quarantined: 1 });
        });
    }

    it("answers Ok with empty data for a record whose readings are all bad (they are all in quarantine)", () => {
        const { response, quarantine, stats } = transformBatch(firehoseEvent(["not json", JSON.stringify(reading(1, 1))]), { keys: FLEET_KEYS });
        expect(response.records[0]).to.deep.include({ result: "Ok", data: "" });
        expect(response.records[1].result).to.equal("Ok");
        expect(quarantine.map((q) => q.kind)).to.deep.equal(["malformed-json"]);
        expect(stats).to.include({ readingsIn: 2, rowsOut: 1, quarantined: 1 });
    });

    it("answers Ok with empty data for a blank record: nothing in, nothing out", () => {
        const { response, stats } = transformBatch(firehoseEvent(["\n\n"]), { keys: FLEET_KEYS });
        expect(response.records[0]).to.deep.include({ result: "Ok", data: "" });
        expect(stats).to.include({ readingsIn: 0, rowsOut: 0, quarantined: 0 });
    });

    it("fails only the record whose conversion throws; the rest of the batch goes through", () => {
        const event = firehoseEvent([JSON.stringify(reading(1, 1)), "boom", JSON.stringify(reading(1, 2))]);
        const { response, stats } = transformBatch(event, {
            keys: FLEET_KEYS,
            convert: (data) => {
                if (data.toString() === "boom") throw new Error("converter fault");
                return { rows: ["r"], quarantined: [], readingsIn: 1 };
            },
        });
        expect(response.records.map((r) => [r.recordId, r.result])).to.deep.equal(event.records.map((r, i) => [r.recordId, i === 1 ? "ProcessingFailed" : "Ok"]));
        expect(stats).to.include({ failedRecords: 1, rowsOut: 2 });
    });

    describe("the 6 MB response limit", () => {
        // 90 records of 800 readings: ~7.2 MB of base64 CSV, over Lambda's limit.
        const records = Array.from({ length: 90 }, (_, r) => ndjson([
            ...Array.from({ length: 799 }, (_, i) => reading(r + 1, i)),
            { ...reading(r + 1, 9999), latitude: 999 },
        ]));
        const event = firehoseEvent(records);
        const outcome = transformBatch(event, { keys: FLEET_KEYS });

        it("stays within the limit by answering the records that no longer fit ProcessingFailed", () => {
            const size = Buffer.byteLength(JSON.stringify(outcome.response));
            expect(size).to.be.at.most(RESPONSE_LIMIT_BYTES);
            const results = outcome.response.records.map((r) => r.result);
            const firstFailed = results.indexOf("ProcessingFailed");
            expect(firstFailed).to.be.greaterThan(0);
            expect(results.slice(firstFailed).every((r) => r === "ProcessingFailed")).to.equal(true);
            // Space is used, not wasted: one more record would not have fitted.
            expect(size).to.be.greaterThan(RESPONSE_LIMIT_BYTES - Buffer.byteLength(JSON.stringify(outcome.response.records[0])));
        });

        it("answers every recordId once, in order, and loses no reading", () => {
            expect(outcome.response.records.map((r) => r.recordId)).to.deep.equal(event.records.map((r) => r.recordId));
            const { stats } = outcome;
            expect(stats.readingsIn).to.equal(90 * 800);
            expect(stats.readingsIn).to.equal(stats.rowsOut + stats.quarantined + stats.readingsFailed);
            expect(stats.failedRecords * 800).to.equal(stats.readingsFailed);
        });

        it("does not quarantine the bad readings of failed records (Firehose keeps those records whole)", () => {
            const okRecords = outcome.response.records.filter((r) => r.result === "Ok").length;
            expect(outcome.quarantine).to.have.length(okRecords);
            const okSequences = new Set(event.records.slice(0, okRecords).map((r) => r.kinesisRecordMetadata!.sequenceNumber));
            expect(outcome.quarantine.every((q) => okSequences.has(q.sequenceNumber!))).to.equal(true);
        });

        it("still answers a later record that fits after a larger one did not", () => {
            const big = ndjson(Array.from({ length: 50 }, (_, i) => reading(1, i)));
            const small = JSON.stringify(reading(2, 1));
            const e = firehoseEvent([small, big, small]);
            const limit = Buffer.byteLength(JSON.stringify(transformBatch(firehoseEvent([small, small]), { keys: FLEET_KEYS }).response)) + 300;
            const { response } = transformBatch(e, { keys: FLEET_KEYS, maxResponseBytes: limit });
            expect(response.records.map((r) => r.result)).to.deep.equal(["Ok", "ProcessingFailed", "Ok"]);
            expect(Buffer.byteLength(JSON.stringify(response))).to.be.at.most(limit);
        });
    });

    it("property: every recordId answered exactly once, Ok or ProcessingFailed, base64 data, within the limit, nothing lost", () => {
        const line = fc.oneof(
            fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 50 })).map(([d, s]) => JSON.stringify(reading(d, s))),
            fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 50 }), fc.constantFrom("latitude", "seq", "timestamp", "detector_id"), fc.jsonValue())
                .map(([d, s, field, value]) => JSON.stringify({ ...reading(d, s), [field]: value })),
            fc.string({ maxLength: 40 }),
        );
        const record = fc.oneof(
            fc.array(line, { maxLength: 12 }).map((lines) => Buffer.from(lines.join("\n"))),
            fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
        );
        fc.assert(fc.property(fc.array(record, { maxLength: 15 }), fc.option(fc.integer({ min: 100, max: 20000 }), { nil: undefined }), (records, limit) => {
            const event = firehoseEvent(records);
            const { response, stats, quarantine } = transformBatch(event, { keys: FLEET_KEYS, maxResponseBytes: limit });
            expect(response.records.map((r) => r.recordId)).to.deep.equal(event.records.map((r) => r.recordId));
            let rows = 0;
            for (const answer of response.records) {
                expect(["Ok", "ProcessingFailed"]).to.include(answer.result);
                expect(Buffer.from(answer.data, "base64").toString("base64")).to.equal(answer.data);
                if (answer.result === "Ok") rows += rowsOf(answer.data).length;
                else expect(answer.data).to.equal("");
            }
            if (limit !== undefined && Buffer.byteLength(JSON.stringify(event)) <= limit) {
                expect(Buffer.byteLength(JSON.stringify(response))).to.be.at.most(limit);
            }
            expect(rows).to.equal(stats.rowsOut);
            expect(quarantine).to.have.length(stats.quarantined);
            expect(quarantine.every((q) => q.reason.length > 0)).to.equal(true);
            expect(stats.readingsIn).to.equal(stats.rowsOut + stats.quarantined + stats.readingsFailed);
        }), { numRuns: 200 });
    });
});
