/**
 * The gzip ratio of a record between the measured record lengths: linear in log(readings), so at
 * the geometric mean of two measured lengths it is the arithmetic mean of their ratios; outside
 * them, the nearest measured ratio (never below what was measured).
 */
import { expect } from "chai";
import fc from "fast-check";
import { MEASURED_RECORD_GZIP_RATIOS as R, recordGzipRatio } from "../../../policy/lib/cost/measured";

const LENGTHS = [60, 150, 300, 600];

describe("policy/lib/cost/measured: the record gzip ratio by readings per record", () => {
    it("is the measured ratio at each measured length", () => {
        for (const n of LENGTHS) expect(recordGzipRatio(n), String(n)).to.equal(R[n]);
    });

    it("is the mean of the neighbours' ratios at their geometric mean", () => {
        for (let i = 1; i < LENGTHS.length; i++) {
            const [a, b] = [LENGTHS[i - 1], LENGTHS[i]];
            expect(recordGzipRatio(Math.sqrt(a * b)), `${a}-${b}`).to.be.closeTo((R[a] + R[b]) / 2, 1e-12);
        }
    });

    it("keeps the nearest measured ratio outside the measured lengths", () => {
        expect(recordGzipRatio(1)).to.equal(R[60]);
        expect(recordGzipRatio(59.5)).to.equal(R[60]);
        expect(recordGzipRatio(600.5)).to.equal(R[600]);
        expect(recordGzipRatio(1e6)).to.equal(R[600]);
    });

    it("never rises with longer records and stays within the measured range", () => {
        fc.assert(fc.property(fc.double({ min: 1, max: 5000, noNaN: true }), fc.double({ min: 1, max: 5000, noNaN: true }), (x, y) => {
            const [short, long] = x < y ? [x, y] : [y, x];
            expect(recordGzipRatio(long)).to.be.at.most(recordGzipRatio(short));
            expect(recordGzipRatio(short)).to.be.within(R[600], R[60]);
        }));
    });

    it("refuses fewer than one reading, and no number at all", () => {
        expect(() => recordGzipRatio(0.99)).to.throw("readings per record must be >= 1, got 0.99");
        expect(() => recordGzipRatio(NaN)).to.throw("readings per record must be >= 1, got NaN");
    });
});
