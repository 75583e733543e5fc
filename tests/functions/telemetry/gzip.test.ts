/**
 * The curated gzip stream and the sizes it is tuned to: what the batch Lambda, `mdetect convert`
 * and the benchmark compress with. Speed itself is measured by `npm run bench -- convert`.
 */
import { expect } from "chai";
import { Readable } from "stream";
import { pipeline } from "stream/promises";
import { gunzipSync, gzipSync } from "zlib";
import { createCuratedGzip, CSV_GZIP_INPUT_BYTES, CSV_GZIP_LEVEL, CSV_ROW_BATCH, DECODE_BYTES, toCsvRows } from "../../../functions/telemetry";
import { reading } from "./fixtures";

/** V8's largest regular heap object (kMaxRegularHeapObjectSize): a longer string goes to the slow large-object space. */
const V8_REGULAR_OBJECT_BYTES = 128 * 1024;

async function compress(text: string): Promise<Buffer> {
    const gzip = createCuratedGzip();
    const parts: Buffer[] = [];
    await pipeline(Readable.from([text]), gzip, async (out: AsyncIterable<Buffer>) => {
        for await (const part of out) parts.push(part);
    });
    return Buffer.concat(parts);
}

describe("curated gzip", () => {
    // Rows as detectors write them (the fixture's, like the benchmark's): about 76 bytes each. Rows of
    // 17-digit numbers are longer; they cost speed, not correctness.
    const batch = toCsvRows(Array.from({ length: CSV_ROW_BATCH }, (_, seq) => reading({ seq: 1_000_000 + seq })));

    it("compresses at the curated level and gunzips to the same text", async () => {
        const gz = await compress(batch);
        expect(gunzipSync(gz).toString("utf8")).to.equal(batch);
        expect(gz.equals(gzipSync(batch, { level: CSV_GZIP_LEVEL }))).to.equal(true);
        expect(gz.equals(gzipSync(batch))).to.equal(false); // zlib's default level compresses differently
    });

    it("buffers three batches of rows before it pushes back (Node honours the Transform option)", () => {
        const gzip = createCuratedGzip();
        expect(gzip.writableHighWaterMark).to.equal(CSV_GZIP_INPUT_BYTES);
        expect(3 * Buffer.byteLength(batch)).to.be.at.most(CSV_GZIP_INPUT_BYTES);
        gzip.destroy();
    });

    it("a batch of typical rows and a decoded piece stay under V8's large-object size", () => {
        expect(batch.length).to.be.below(V8_REGULAR_OBJECT_BYTES);
        expect(DECODE_BYTES).to.be.below(V8_REGULAR_OBJECT_BYTES);
    });
});
