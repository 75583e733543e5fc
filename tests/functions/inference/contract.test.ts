import { expect } from "chai";
import fc from "fast-check";
import { FEATURES, ID_COLUMNS, isHeaderLine } from "../../../functions/inference/contract";
import { parseCuratedLine, readCuratedRows } from "../../../functions/inference/curated";
import { loadSampleModel, sampleScore } from "../../../scripts/lib/sample-model";
import { HEADER, batchObject, expectedScore, features, line, rejection, row, stream } from "./fixtures";
import * as schema from "../../../schema/features.json";

describe("inference: model contract", () => {
    it("takes the id columns and feature order from schema/features.json, as the sample model does", () => {
        expect(ID_COLUMNS).to.deep.equal(["detector_id", "timestamp", "seq"]);
        expect(FEATURES).to.deep.equal(schema.features).and.have.length(8);
        expect(loadSampleModel().features).to.deep.equal(schema.features);
    });

    it("documents the sample model's formula and the two reference scores truthfully", () => {
        const model = loadSampleModel();
        expect(sampleScore(model, new Array(8).fill(0))).to.equal(1 / (1 + Math.exp(-model.bias)));
        expect(expectedScore(row("MD-0001", new Date(0), 0))).to.be.closeTo(0.18, 0.01);
        expect(expectedScore(row("MD-0001", new Date(0), 0, true))).to.be.closeTo(0.95, 0.01);
    });

    it("recognises header lines by their first field only", () => {
        expect(isHeaderLine(HEADER)).to.equal(true);
        expect(isHeaderLine("detector_id")).to.equal(true);
        expect(isHeaderLine(line(row("MD-0001", new Date(0), 1)))).to.equal(false);
        expect(isHeaderLine("detector_identity,x")).to.equal(false);
    });

    it("reads back every row of a gzip CSV whatever the headers and line endings", async () => {
        await fc.assert(fc.asyncProperty(
            fc.array(fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 2e9 }), fc.boolean()), { maxLength: 50 }),
            fc.boolean(),
            async (specs, crlf) => {
                const rows = specs.map(([n, t, alert], i) => row(`MD-${String(n).padStart(4, "0")}`, new Date(t * 1000), i, alert));
                const text = [HEADER, ...rows.map(line), HEADER].join(crlf ? "\r\n" : "\n");
                const { gzipSync } = await import("zlib");
                const got = [];
                for await (const r of readCuratedRows(stream(gzipSync(text)))) got.push(r);
                expect(got).to.deep.equal(rows);
            },
        ));
    });

    it("fails a download that breaks off instead of returning part of the rows", async () => {
        const whole = batchObject([row("MD-0001", new Date(0), 1), row("MD-0001", new Date(1000), 2)]);
        const error = await rejection((async () => { for await (const _ of readCuratedRows(stream(whole.subarray(0, whole.length - 10)))) void _; })());
        expect(error.message).to.match(/unexpected end of file/i);
    });

    for (const [text, message] of [
        ["MD-0001,2025-01-01T00:00:00Z,1,1,2,3", /expected 11 fields, found 6/],
        [`MD-0001,yesterday,1,${features(false)}`, /timestamp "yesterday" is not a date/],
        [`MD-0001,2025-01-01T00:00:00Z,1,${features(false).replace("1013.25", "n/a")}`, /feature 6 "n\/a" is not a number/],
        [`,2025-01-01T00:00:00Z,1,${features(false)}`, /empty detector_id/],
    ] as const) {
        it(`rejects ${JSON.stringify(text.slice(0, 40))}...`, () => {
            expect(() => parseCuratedLine(text, 7)).to.throw(message).with.property("name", "CuratedFormatError");
            expect(() => parseCuratedLine(text, 7)).to.throw(/^line 7: /);
        });
    }
});
