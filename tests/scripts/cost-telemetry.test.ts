import { expect } from "chai";
import { gzipSync } from "zlib";
import { sampleReadings } from "../../scripts/lib/cost/telemetry-sample";
import { MEASURED_READING_JSON_BYTES, MEASURED_RECORD_GZIP_RATIO } from "../../policy/lib/cost/measured";
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

    it("gzip of one detector's 60-reading record is the measured ratio", () => {
        let plain = 0, gz = 0;
        for (const lines of sample) for (let i = 0; i < lines.length; i += 60) {
            const record = lines.slice(i, i + 60).join("\n") + "\n";
            plain += Buffer.byteLength(record);
            gz += gzipSync(record).length;
        }
        expect(gz / plain).to.be.closeTo(MEASURED_RECORD_GZIP_RATIO, 0.02 * MEASURED_RECORD_GZIP_RATIO);
    });
});
