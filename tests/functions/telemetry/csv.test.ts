import { expect } from "chai";
import fc from "fast-check";
import Papa from "papaparse";
import { CSV_COLUMNS, CSV_HEADER, Reading, toCsvRow, toCsvRows } from "../../../functions/telemetry";
import { reading, readingArb } from "./fixtures";

const wholeRows = (readings: Reading[]): string => Papa.unparse(readings.map((r) => CSV_COLUMNS.map((c) => r[c])), { newline: "\n" }) + "\n";

describe("functions/telemetry: CSV", () => {
    it("header: detector_id, timestamp, seq, then the 8 features in schema/features.json order", () => {
        expect(CSV_HEADER).to.equal("detector_id,timestamp,seq,muon_count,coincidence_count,live_time_s,zenith_deg,azimuth_deg,pressure_hpa,temperature_c,depth_m");
    });

    it("a row carries the id columns and the features, not the other fields", () => {
        expect(toCsvRow(reading())).to.equal("MD-0042,2024-05-01T12:00:00.250Z,1,171,6,0.987,12.5,181.2,1012.3,21.4,0");
        expect(toCsvRows([])).to.equal("");
    });

    it("round trip: parsing the CSV back with papaparse gives the readings' values (property)", () => {
        fc.assert(fc.property(fc.array(readingArb, { maxLength: 20 }), (readings) => {
            // Numbers typed back; text columns kept as text (papaparse would turn ISO timestamps into Dates).
            const numeric = (field: string | number): boolean => field !== "detector_id" && field !== "timestamp";
            const parsed = Papa.parse<Record<string, unknown>>(CSV_HEADER + "\n" + toCsvRows(readings), { header: true, dynamicTyping: numeric, skipEmptyLines: true });
            expect(parsed.errors).to.deep.equal([]);
            expect(parsed.meta.fields).to.deep.equal([...CSV_COLUMNS]);
            const expected = readings.map((r) => Object.fromEntries(CSV_COLUMNS.map((c) => [c, typeof r[c] === "number" && r[c] === 0 ? 0 : r[c]])));
            expect(parsed.data).to.deep.equal(expected);
        }));
    });

    it("is byte-identical to papaparse unparsing whole rows, even for text cells that need quoting (property)", () => {
        const text = fc.oneof(fc.string(), fc.constantFrom("a,b", "say \"hi\"", "line\nbreak", "cr\rlf", " padded ", "", "\ufeffbom"));
        const rowArb = fc.tuple(readingArb, text, text).map(([r, id, ts]) => ({ ...r, detector_id: id, timestamp: ts }));
        fc.assert(fc.property(fc.array(rowArb, { maxLength: 12 }), (readings) => {
            expect(toCsvRows(readings)).to.equal(readings.length === 0 ? "" : wholeRows(readings));
        }), { numRuns: 300 });
    });

    /**
     * The fast path's contract (what makes conversion fast; its speed is measured by
     * `bench convert`): numbers and text made only of letters, digits and ".:_+-" never reach
     * papaparse. Counted by wrapping Papa.unparse, the one call the fast path exists to avoid.
     */
    it("hands no number and no text of letters, digits and .:_+- to papaparse (property)", () => {
        const plain = fc.stringMatching(/^[0-9A-Za-z.:_+-]+$/);
        const rowArb = fc.tuple(readingArb, plain, plain).map(([r, id, ts]) => ({ ...r, detector_id: id, timestamp: ts }));
        const unparse = Papa.unparse;
        let calls = 0;
        Papa.unparse = ((...args: Parameters<typeof unparse>) => { calls++; return unparse(...args); }) as typeof unparse;
        try {
            fc.assert(fc.property(fc.array(rowArb, { minLength: 1, maxLength: 8 }), (readings) => {
                calls = 0;
                const text = toCsvRows(readings);
                expect(calls, JSON.stringify(readings[0])).to.equal(0);
                expect(text).to.equal(wholeRows(readings));
            }), { numRuns: 300 });
            calls = 0;
            toCsvRows([{ ...reading(), detector_id: "MD 1" }]);
            expect(calls, "a space is not plain: papaparse decides").to.equal(1);
        } finally {
            Papa.unparse = unparse;
        }
    });
});
