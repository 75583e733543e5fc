import { expect } from "chai";
import fc from "fast-check";
import { Readable } from "stream";
import { gunzipSync, gzipSync } from "zlib";
import { findingsCsvToJson, jsonKeyOf } from "../../../functions/api/findings-export";
import { FindingGroup, findingsBody, severityOf } from "../../../functions/inference/findings";

const THRESHOLD = 0.8;

/** Rows as inference scores them: contract serials and timestamps, seq up to 2^53 - 1, scores around both severity bands. */
const scoredRow = fc.record({
    detectorId: fc.integer({ min: 0, max: 999_999 }).map((n) => `MD-${String(n).padStart(4, "0")}`),
    timestamp: fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString()),
    seq: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)).map(String),
    score: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1, THRESHOLD, THRESHOLD - 0.1, THRESHOLD - 1e-9)),
});
const group = (rows: FindingGroup["rows"]): FindingGroup => ({
    key: "findings/c/p/2026-01-02/00/x.csv.gz", detectors: [], alertingDetectors: [], siteIds: [], rows,
    periodStart: new Date(0), periodEnd: new Date(1), maxScore: 0, alertCount: 0, severity: "info",
});
/** The gzip bytes cut into arbitrary pieces, as a network stream delivers them. */
const inPieces = (bytes: Buffer, cuts: number[]): Readable => {
    const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    return Readable.from([0, ...at].map((start, i) => bytes.subarray(start, [...at, bytes.length][i])).filter((b) => b.length > 0));
};
const converted = async (rows: FindingGroup["rows"], cuts: number[] = []) =>
    JSON.parse(gunzipSync(await findingsCsvToJson(inPieces(findingsBody(group(rows), THRESHOLD), cuts))).toString("utf8"));

describe("functions/api findings-export: JSON from the gzip CSV inference writes", () => {
    it("is an array of the CSV's rows, column names as keys, seq and score as exact numbers, in any chunking", async () => {
        await fc.assert(fc.asyncProperty(fc.array(scoredRow, { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 8 }), async (rows, cuts) => {
            expect(await converted(rows, cuts)).to.deep.equal(rows.map((r) => ({
                detector_id: r.detectorId, timestamp: r.timestamp, seq: Number(r.seq), score: r.score, severity: severityOf(r.score, THRESHOLD),
            })));
        }), { numRuns: 60 });
    });

    it("is an empty array for a finding with no rows (header only)", async () => {
        expect(await converted([])).to.deep.equal([]);
    });

    it("fails on a body that is not gzip, instead of answering a truncated file", async () => {
        let error: unknown;
        try { await findingsCsvToJson(Readable.from([Buffer.from("detector_id,timestamp\n")])); } catch (e) { error = e; }
        expect((error as { code?: string })?.code).to.equal("Z_DATA_ERROR");
    });

    it("fails on rows that are not what inference writes (quoted cells, missing columns, non-numbers), naming the line", async () => {
        const header = "detector_id,timestamp,seq,score,severity";
        for (const bad of ['MD-0001,"2026-01-02T00:00:00Z",1,0.5,info', "MD-0001,2026-01-02T00:00:00Z,1,0.5", "MD-0001,2026-01-02T00:00:00Z,1.5,0.5,info",
            "MD-0001,2026-01-02T00:00:00Z,1,high,info", "MD-0001,2026-01-02T00:00:00Z,1,,info", "MD-0001,2026-01-02T00:00:00Z,-1,0.5,info"]) {
            let error: unknown;
            try { await findingsCsvToJson(Readable.from([gzipSync(`${header}\nMD-0001,2026-01-02T00:00:00Z,0,0.1,info\n${bad}\n`)])); } catch (e) { error = e; }
            expect((error as Error)?.name, bad).to.equal("FindingsFormatError");
            expect((error as Error).message, bad).to.match(/^line 3: /);
        }
    });

    it("reads CRLF line endings and a last row without a final newline like the plain file", async () => {
        const header = "detector_id,timestamp,seq,score,severity";
        const rows = ["MD-0001,2026-01-02T00:00:00Z,0,0.1,info", "MD-0002,2026-01-02T00:00:01Z,7,0.9,alert"];
        const plain = JSON.parse(gunzipSync(await findingsCsvToJson(Readable.from([gzipSync(`${header}\n${rows.join("\n")}\n`)]))).toString("utf8"));
        expect(plain).to.have.length(2);
        for (const text of [`${header}\r\n${rows.join("\r\n")}\r\n`, `${header}\n${rows.join("\n")}`, `${header}\r\n${rows.join("\r\n")}`]) {
            const json = JSON.parse(gunzipSync(await findingsCsvToJson(Readable.from([gzipSync(text)]))).toString("utf8"));
            expect(json, JSON.stringify(text)).to.deep.equal(plain);
        }
    });

    it("refuses a blank score rather than reading it as 0", async () => {
        for (const score of [" ", "\t"]) {
            let error: unknown;
            try { await findingsCsvToJson(Readable.from([gzipSync(`detector_id,timestamp,seq,score,severity\nMD-0001,2026-01-02T00:00:00Z,1,${score},info\n`)])); } catch (e) { error = e; }
            expect((error as Error)?.name, JSON.stringify(score)).to.equal("FindingsFormatError");
        }
    });

    it("keeps the conversion next to its CSV, under the same client and project", () => {
        expect(jsonKeyOf("findings/c/p/run.csv-v2/src.csv.gz")).to.equal("findings/c/p/run.csv-v2/src.json.gz");
        expect(jsonKeyOf("findings/c/p/2026-01-02/00/src-0123456789ab.csv.gz")).to.equal("findings/c/p/2026-01-02/00/src-0123456789ab.json.gz");
        expect(jsonKeyOf("findings/c/p/legacy.csv")).to.equal("findings/c/p/legacy.json.gz");
    });
});
