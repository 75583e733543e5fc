import { expect } from "chai";
import { PassThrough } from "stream";
import { gzipSync } from "zlib";
import { parseCuratedLine, readCuratedRows } from "../../../functions/inference/curated";
import { features, rejection } from "./fixtures";

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
