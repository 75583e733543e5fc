/**
 * convertRecord on the record shapes that decide between parsing the record whole (one
 * pretty-printed object) and splitting it into lines: surviving mutants of record.ts found by
 * `npm run mutate -- --mutate functions/telemetry/record.ts` (docs/benchmarks.md).
 */
import { expect } from "chai";
import { convertRecord, MAX_LINE_BYTES, toCsvRow } from "../../../functions/telemetry";
import { reading } from "./fixtures";

describe("functions/telemetry: convertRecord, whole-record or line by line", () => {
    it("a pretty-printed reading with whitespace and blank lines around it is one reading", () => {
        const result = convertRecord(`\n  \n${JSON.stringify(reading(), null, 2)}\n\n`);
        expect(result).to.deep.equal({ rows: [toCsvRow(reading())], quarantined: [], readingsIn: 1 });
    });

    it("a pretty-printed JSON array is split into its readings, not taken as one non-object", () => {
        const result = convertRecord(JSON.stringify([reading({ seq: 1 }), reading({ seq: 2 })], null, 2));
        expect(result.rows).to.deep.equal([toCsvRow(reading({ seq: 1 })), toCsvRow(reading({ seq: 2 }))]);
        expect(result.quarantined).to.deep.equal([]);
    });

    it("a pretty-printed reading with invalid UTF-8 is quarantined as invalid-utf8, not decoded with replacement characters", () => {
        const text = JSON.stringify(reading(), null, 2);
        const at = text.indexOf("MD-") + 3;
        const data = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xff]), Buffer.from(text.slice(at))]);
        const result = convertRecord(data);
        expect(result.rows).to.deep.equal([]);
        expect(result.quarantined.map((q) => q.kind)).to.include("invalid-utf8");
    });

    it("a pretty-printed record over the line limit is not parsed whole: no reading comes out of it", () => {
        const pretty = JSON.stringify(reading(), null, 2);
        const padded = pretty.replace("{", `{${" ".repeat(MAX_LINE_BYTES)}\n`);
        const result = convertRecord(padded);
        expect(result.rows).to.deep.equal([]);
        expect(result.readingsIn).to.equal(result.quarantined.length);
        expect(result.readingsIn).to.be.greaterThan(0);
    });

    it("a pretty-printed record of exactly the line limit is still parsed whole", () => {
        const pretty = JSON.stringify(reading(), null, 2);
        const padding = MAX_LINE_BYTES - Buffer.byteLength(pretty) - 1;
        const exact = pretty.replace("{", `{${" ".repeat(padding)}\n`);
        expect(Buffer.byteLength(exact)).to.equal(MAX_LINE_BYTES);
        expect(convertRecord(exact)).to.deep.equal({ rows: [toCsvRow(reading())], quarantined: [], readingsIn: 1 });
    });
});
