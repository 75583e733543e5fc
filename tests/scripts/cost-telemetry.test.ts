import { expect } from "chai";
import { gzipSync } from "zlib";
import { sampleReadings } from "../../scripts/lib/cost/telemetry-sample";
import { MEASURED_CSV_BYTES_PER_READING, MEASURED_FEATURE_BYTES_PER_ROW, MEASURED_READING_JSON_BYTES, MEASURED_RECORD_GZIP_RATIOS, recordGzipRatio } from "../../policy/lib/cost/measured";
import { toCsvRows } from "../../functions/telemetry/csv";
import { parseCuratedLine } from "../../functions/inference/curated";
import { validateReading } from "../../functions/telemetry";

/** The figures the model and the config default rest on are what the sample measures (within 2 %). */
describe("cost: measured telemetry sizes (policy/lib/cost/measured.ts)", () => {
    const sample = sampleReadings(200, 600);

    it("a reading is the measured number of JSON bytes, and each one is a valid reading", () => {
        const all = sample.flat();
        const mean = all.reduce((n, l) => n + Buffer.byteLength(l), 0) / all.length;
        expect(mean).to.be.closeTo(MEASURED_READING_JSON_BYTES, 0.02 * MEASURED_READING_JSON_BYTES);
        for (const line of all.slice(0, 200)) expect(validateReading(JSON.parse(line)).ok, line).to.equal(true);
    });

    it("its curated CSV row and the feature row the inference sends are the measured bytes", () => {
        const readings = sample.flat().map((l) => JSON.parse(l));
        const csv = toCsvRows(readings);
        // What the inference sends per row: the features exactly as the curated line holds them.
        const features = csv.split("\n").filter(Boolean).reduce((n, line, i) => n + Buffer.byteLength(parseCuratedLine(line, i + 1).features) + 1, 0);
        expect(Buffer.byteLength(csv) / readings.length).to.be.closeTo(MEASURED_CSV_BYTES_PER_READING, 0.02 * MEASURED_CSV_BYTES_PER_READING);
        expect(features / readings.length).to.be.closeTo(MEASURED_FEATURE_BYTES_PER_ROW, 0.02 * MEASURED_FEATURE_BYTES_PER_ROW);
    });

    for (const [readings, ratio] of Object.entries(MEASURED_RECORD_GZIP_RATIOS).map(([n, r]) => [Number(n), r])) {
        it(`gzip of one detector's ${readings}-reading record is the measured ratio`, () => {
            let plain = 0, gz = 0;
            for (const lines of sample) for (let i = 0; i + readings <= lines.length; i += readings) {
                const record = lines.slice(i, i + readings).join("\n") + "\n";
                plain += Buffer.byteLength(record);
                gz += gzipSync(record).length;
            }
            expect(plain, "the sample holds whole records").to.be.greaterThan(0);
            expect(gz / plain).to.be.closeTo(ratio, 0.02 * ratio);
        });
    }

    it("between measured record sizes the ratio is interpolated, outside them the nearest measured one", () => {
        expect(recordGzipRatio(60)).to.equal(MEASURED_RECORD_GZIP_RATIOS[60]);
        expect(recordGzipRatio(1)).to.equal(MEASURED_RECORD_GZIP_RATIOS[60]);
        expect(recordGzipRatio(6000)).to.equal(MEASURED_RECORD_GZIP_RATIOS[600]);
        const mid = recordGzipRatio(450);
        expect(mid).to.be.lessThan(MEASURED_RECORD_GZIP_RATIOS[300]).and.greaterThan(MEASURED_RECORD_GZIP_RATIOS[600]);
        expect(() => recordGzipRatio(0)).to.throw(/>= 1/);
    });
});
