import { expect } from "chai";
import fc from "fast-check";
import { DuplicateTracker, SeqRanges } from "../../../functions/telemetry";

describe("functions/telemetry: bounded duplicate detection", () => {
    it("an in-order sequence of 100k seqs is a single run", () => {
        const ranges = new SeqRanges();
        for (let seq = 5; seq < 100_005; seq++) expect(ranges.add(seq)).to.equal(true);
        expect(ranges.runs()).to.deep.equal([[5, 100_004]]);
        expect(ranges.add(5)).to.equal(false);
        expect(ranges.add(100_004)).to.equal(false);
        expect(ranges.add(100_005)).to.equal(true);
    });

    it("a gap makes a second run; filling it merges them", () => {
        const ranges = new SeqRanges();
        for (const seq of [1, 2, 3, 7, 8]) ranges.add(seq);
        expect(ranges.runs()).to.deep.equal([[1, 3], [7, 8]]);
        expect(ranges.add(5)).to.equal(true);
        expect(ranges.runs()).to.deep.equal([[1, 3], [5, 5], [7, 8]]);
        expect(ranges.add(4)).to.equal(true);
        expect(ranges.add(6)).to.equal(true);
        expect(ranges.runs()).to.deep.equal([[1, 8]]);
        expect(ranges.add(0)).to.equal(true);
        expect(ranges.runs()).to.deep.equal([[0, 8]]);
        expect(ranges.add(6)).to.equal(false);
    });

    it("behaves like a Set of seqs, with runs sorted, disjoint and non-adjacent (property)", () => {
        fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 300 }), (seqs) => {
            const ranges = new SeqRanges();
            const model = new Set<number>();
            for (const seq of seqs) {
                expect(ranges.add(seq)).to.equal(!model.has(seq));
                model.add(seq);
            }
            for (let seq = 0; seq <= 201; seq++) expect(ranges.has(seq)).to.equal(model.has(seq));
            const runs = ranges.runs();
            for (let i = 1; i < runs.length; i++) expect(runs[i][0]).to.be.greaterThan(runs[i - 1][1] + 1);
            expect(runs.reduce((n, [a, b]) => n + b - a + 1, 0)).to.equal(model.size);
        }), { numRuns: 300 });
    });

    it("tracks detectors separately and its size is the number of runs, not of readings", () => {
        const tracker = new DuplicateTracker();
        for (let seq = 0; seq < 10_000; seq++) {
            expect(tracker.add("MD-0001", seq)).to.equal(true);
            expect(tracker.add("MD-0002", seq)).to.equal(true);
        }
        expect(tracker.add("MD-0001", 9_999)).to.equal(false);
        expect(tracker.add("MD-0003", 9_999)).to.equal(true);
        expect(tracker.runCount).to.equal(3);
        expect(tracker.detectors()).to.deep.equal(["MD-0001", "MD-0002", "MD-0003"]);
    });
});
