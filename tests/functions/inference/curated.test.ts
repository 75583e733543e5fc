import { expect } from "chai";
import { PassThrough, Readable } from "stream";
import { gzipSync } from "zlib";
import { parseCuratedLine, readCuratedRows } from "../../../functions/inference/curated";
import { HEADER, features, rejection } from "./fixtures";

const ID = "MD-0001,2025-03-01T00:00:00Z,7";
/** A data line whose feature `n` (1-based) is `value`. */
const withFeature = (n: number, value: string) => `${ID},${features(false).split(",").map((f, i) => (i === n - 1 ? value : f)).join(",")}`;

describe("inference: reading curated CSV", () => {
    it("refuses an empty, blank or non-numeric feature at any position, naming its line and position", () => {
        for (const n of [1, 2, 8]) {
            for (const value of ["", " ", "x", "Infinity"]) {
                expect(() => parseCuratedLine(withFeature(n, value), 4), `feature ${n} ${JSON.stringify(value)}`)
                    .to.throw(`line 4: feature ${n} ${JSON.stringify(value)} is not a number`).with.property("name", "CuratedFormatError");
            }
        }
        expect(parseCuratedLine(withFeature(1, "-0.5"), 4).features.split(",")[0]).to.equal("-0.5");
    });

    it("refuses an empty detector_id or a timestamp that is not a date, naming the line", () => {
        expect(() => parseCuratedLine(withFeature(1, "1").replace("MD-0001", ""), 2)).to.throw("line 2: empty detector_id").with.property("name", "CuratedFormatError");
        expect(() => parseCuratedLine(withFeature(1, "1").replace("2025-03-01T00:00:00Z", "yesterday"), 3))
            .to.throw('line 3: timestamp "yesterday" is not a date').with.property("name", "CuratedFormatError");
    });

    it("reads CRLF lines and a last line without a newline, skipping headers and blank lines", async () => {
        const [a, b] = [withFeature(1, "1"), withFeature(1, "2")];
        const rows: string[] = [];
        for await (const r of readCuratedRows(Readable.from([gzipSync(`${HEADER}\r\n${a}\r\n\r\n${b}`)]))) rows.push(r.features);
        expect(rows, "no CR left on the last feature").to.deep.equal([a, b].map((l) => l.split(",").slice(3).join(",")));
    });

    it("fails the read when the download fails mid-stream", async () => {
        const source = new PassThrough();
        const rows = readCuratedRows(source);
        const body = gzipSync(`${withFeature(1, "1")}\n`);
        source.write(body.subarray(0, 5));
        setImmediate(() => source.destroy(new Error("socket hang up")));
        const read = (async () => { for await (const _ of rows) { /* drain */ } })();
        expect((await rejection(read)).message).to.equal("socket hang up");
    });
});
