import { expect } from "chai";
import fc from "fast-check";
import { convertRecord, MAX_LINE_BYTES, toCsvRow } from "../../../functions/telemetry";
import { badLineArb, line, reading, readingArb } from "./fixtures";

describe("functions/telemetry: convertRecord (one Kinesis/Firehose record)", () => {
    it("one reading gives one CSV row without a line terminator", () => {
        const result = convertRecord(line(reading()));
        expect(result).to.deep.equal({ rows: [toCsvRow(reading())], quarantined: [], readingsIn: 1 });
        expect(result.rows[0]).to.not.include("\n");
    });

    it("accepts a Buffer and a pretty-printed single reading", () => {
        expect(convertRecord(Buffer.from(line(reading()) + "\n")).rows).to.have.length(1);
        const pretty = convertRecord(JSON.stringify(reading(), null, 2));
        expect(pretty.rows).to.deep.equal([toCsvRow(reading())]);
        expect(pretty.readingsIn).to.equal(1);
    });

    it("splits newline-delimited readings (LF and CRLF), skipping blank lines", () => {
        const text = [line(reading({ seq: 1 })), "", line(reading({ seq: 2 })) + "\r", "   ", line(reading({ seq: 3 }))].join("\n");
        const result = convertRecord(text);
        expect(result.rows).to.deep.equal([1, 2, 3].map((seq) => toCsvRow(reading({ seq }))));
        expect(result.readingsIn).to.equal(3);
    });

    it("quarantines each bad line with its line number, kind and reason, keeping the good ones", () => {
        const text = [line(reading({ seq: 1 })), "{not json", line(reading({ seq: 2, zenith_deg: 97 })), line(reading({ seq: 1 })), line(reading({ seq: 3 }))].join("\n");
        const result = convertRecord(text);
        expect(result.rows).to.deep.equal([toCsvRow(reading({ seq: 1 })), toCsvRow(reading({ seq: 3 }))]);
        expect(result.quarantined.map((q) => [q.line, q.kind])).to.deep.equal([[2, "malformed-json"], [3, "out-of-range"], [4, "duplicate"]]);
        expect(result.quarantined[1].reason).to.equal("zenith_deg 97 out of range [0, 90]");
        expect(result.quarantined[2].reason).to.include("MD-0042 seq 1");
        expect(result.quarantined[0].raw).to.equal("{not json");
        expect(result.readingsIn).to.equal(5);
    });

    it("invalid UTF-8 on one line quarantines that line only", () => {
        const bad = Buffer.concat([Buffer.from("{\"detector_id\":\"MD-00"), Buffer.from([0xff, 0xfe]), Buffer.from("42\"}")]);
        const data = Buffer.concat([Buffer.from(line(reading({ seq: 1 })) + "\n"), bad, Buffer.from("\n" + line(reading({ seq: 2 })))]);
        const result = convertRecord(data);
        expect(result.rows).to.have.length(2);
        expect(result.quarantined.map((q) => [q.line, q.kind, q.reason])).to.deep.equal([[2, "invalid-utf8", "line is not valid UTF-8"]]);
    });

    it("a line over 1 MiB is quarantined with a preview of 1 KiB, neighbours kept", () => {
        const long = JSON.stringify({ ...reading({ seq: 2 }), pad: "x".repeat(MAX_LINE_BYTES) });
        const result = convertRecord([line(reading({ seq: 1 })), long, line(reading({ seq: 3 }))].join("\n"));
        expect(result.rows).to.have.length(2);
        expect(result.quarantined).to.have.length(1);
        expect(result.quarantined[0]).to.include({ line: 2, kind: "line-too-long" });
        expect(result.quarantined[0].reason).to.match(/^line of 1\.00 MiB exceeds the 1\.00 MiB limit$/);
        expect(result.quarantined[0].raw).to.have.length(1024);
    });

    it("a JSON array record converts element by element", () => {
        const result = convertRecord(JSON.stringify([reading({ seq: 1 }), 5, reading({ seq: 2 })]));
        expect(result.rows).to.have.length(2);
        expect(result.quarantined.map((q) => [q.line, q.kind])).to.deep.equal([[2, "not-an-object"]]);
    });

    it("a blank record holds no readings", () => {
        expect(convertRecord("")).to.deep.equal({ rows: [], quarantined: [], readingsIn: 0 });
        expect(convertRecord(" \n\n")).to.deep.equal({ rows: [], quarantined: [], readingsIn: 0 });
    });

    it("conservation and exact outcome over arbitrary mixes of good and bad lines (property)", () => {
        const item = fc.oneof(readingArb.map((r) => ({ good: r })), badLineArb.map((b) => ({ bad: b })));
        fc.assert(fc.property(fc.array(item, { maxLength: 30 }), (items) => {
            // Unique seq per good reading so that duplicates only come from the bad side.
            const lines = items.map((it, i) => ("good" in it ? line({ ...it.good, seq: i }) : it.bad.text));
            const result = convertRecord(lines.join("\n"));
            const good = items.flatMap((it, i) => ("good" in it ? [toCsvRow(JSON.parse(line({ ...it.good, seq: i })))] : []));
            const bad = items.flatMap((it, i) => ("bad" in it ? [[i + 1, it.bad.kind]] : []));
            expect(result.readingsIn).to.equal(result.rows.length + result.quarantined.length);
            expect(result.rows).to.deep.equal(good);
            expect(result.quarantined.map((q) => [q.line, q.kind])).to.deep.equal(bad);
        }), { numRuns: 200 });
    });

    it("a one-line record is quarantined exactly like the same line inside NDJSON, surrounding blanks included (property)", () => {
        const blanks = fc.string({ unit: fc.constantFrom(" ", "\t"), maxLength: 3 });
        fc.assert(fc.property(badLineArb, blanks, blanks, (bad, lead, trail) => {
            const text = lead + bad.text + trail;
            const alone = convertRecord(text);
            const inNdjson = convertRecord(text + "\n" + line(reading({ seq: 1 })));
            expect(alone.quarantined).to.deep.equal(inNdjson.quarantined);
            expect(alone.quarantined.map((q) => q.kind)).to.deep.equal([bad.kind]);
        }), { numRuns: 200 });
    });
});
