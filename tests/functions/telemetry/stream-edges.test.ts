import { expect } from "chai";
import { createHash } from "crypto";
import { PassThrough, Readable, Writable } from "stream";
import { gzipSync } from "zlib";
import { convertStream, createCuratedGzip, CSV_HEADER, CSV_ROW_BATCH, toCsvRow } from "../../../functions/telemetry";
import { convert, expectConserved, line, reading, sink } from "./fixtures";
import { rejection } from "../../helpers/rejection";

const ndjson = (n: number): string => Array.from({ length: n }, (_, seq) => line(reading({ seq })) + "\n").join("");
const csvOf = (n: number): string => [CSV_HEADER, ...Array.from({ length: n }, (_, seq) => toCsvRow(reading({ seq })))].join("\n") + "\n";
const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");
const TRUNCATED = "gzip data ends before the end of the compressed stream (truncated file?)";

/** An output that keeps each write separately, to check how the converter batches and ends it. */
function recorder(): { stream: Writable; writes: string[] } {
    const writes: string[] = [];
    const stream = new Writable({ write(chunk: Buffer, _e, done) { writes.push(chunk.toString("utf8")); done(); } });
    return { stream, writes };
}

/** A readable that gives `chunks`, then fails with `error` once `failAfter` resolves. */
function failingInput(chunks: Buffer[], error: Error, failAfter: () => Promise<void>): Readable {
    const input = new Readable({ read() {} });
    for (const c of chunks) input.push(c);
    void failAfter().then(() => input.destroy(error));
    return input;
}

const tick = (ms: number) => () => new Promise<void>((resolve) => setTimeout(resolve, ms));


describe("functions/telemetry: convertStream edge cases (gzip detection, failures, batching, outputs)", () => {
    it("gzip is detected only by both magic bytes 1f 8b, whatever the chunking of the first bytes", async () => {
        const gz = gzipSync(ndjson(3));
        for (const first of [1, 2, 3]) {
            const { manifest, csv } = await convert(Readable.from([gz.subarray(0, first), gz.subarray(first)]));
            expect(manifest, `first chunk of ${first} bytes`).to.include({ gzip: true, rowsOut: 3, complete: true, bytesIn: gz.length, sha256: sha256(gz) });
            expect(csv).to.equal(csvOf(3));
        }
        // Only one of the two bytes: text, quarantined line by line, never a gzip failure.
        for (const head of [[0x1f, 0x7b], [0x7b, 0x8b], [0x1f], [0x8b]]) {
            const data = Buffer.concat([Buffer.from(head), Buffer.from("\n" + ndjson(2))]);
            const { manifest, csv } = await convert(Readable.from([data.subarray(0, 1), data.subarray(1)]));
            expectConserved(manifest);
            expect(manifest, `head ${head}`).to.include({ gzip: false, complete: true, rowsIn: 3, rowsOut: 2, rowsQuarantined: 1 });
            expect(manifest.error).to.equal(undefined);
            expect(csv).to.equal(csvOf(2));
        }
    });

    it("inputs of one and two bytes: a lone reading is converted, the bare gzip magic is a truncated gzip", async () => {
        const one = await convert("7");
        expect(one.manifest).to.include({ gzip: false, bytesIn: 1, rowsIn: 1, rowsQuarantined: 1, format: "ndjson", complete: true });
        expect(one.quarantine.map((q) => [q.line, q.kind, q.raw])).to.deep.equal([[1, "not-an-object", "7"]]);

        const magic = await convert(Buffer.from([0x1f, 0x8b]));
        expect(magic.manifest).to.include({ gzip: true, bytesIn: 2, complete: false, rowsOut: 0 });
        expect(magic.manifest.error).to.deep.equal({ kind: "truncated-gzip", reason: TRUNCATED });
    });

    it("whole-input failures carry exact reasons: truncated gzip, corrupt gzip (with zlib's message), read error", async () => {
        const gz = gzipSync(ndjson(50));
        const truncated = await convert(gz.subarray(0, gz.length - 4));
        expect(truncated.manifest.error).to.deep.equal({ kind: "truncated-gzip", reason: TRUNCATED });
        expect(truncated.quarantine.at(-1)).to.include({ kind: "truncated-gzip", reason: TRUNCATED });

        const corrupt = Buffer.from(gz);
        corrupt[3] = 0xff; // reserved FLG bits: zlib refuses the header
        const bad = await convert(corrupt);
        expect(bad.manifest.error?.kind).to.equal("corrupt-gzip");
        expect(bad.manifest.error?.reason).to.match(/^gzip data is corrupt: \S/);

        const read = await convert(failingInput([Buffer.from(ndjson(2))], new Error("socket hang up"), tick(5)));
        expect(read.manifest.error).to.deep.equal({ kind: "read-error", reason: "input could not be read to the end: socket hang up" });
    });

    it("a read error before the first byte: not gzip, nothing converted, complete false", async () => {
        const { manifest } = await convert(failingInput([], new Error("no such key"), tick(1)));
        expectConserved(manifest);
        expect(manifest).to.include({ gzip: false, bytesIn: 0, rowsOut: 0, complete: false });
        expect(manifest.error?.kind).to.equal("read-error");
    });

    it("a read error in the middle of a gzip input keeps a prefix of the rows and resolves", async () => {
        const gz = gzipSync(ndjson(20000));
        const half = gz.subarray(0, Math.floor(gz.length / 2));
        const { manifest, csv } = await convert(failingInput([half], new Error("connection reset"), () => Promise.resolve()));
        expectConserved(manifest);
        expect(manifest).to.include({ gzip: true, complete: false });
        expect(manifest.error).to.deep.equal({ kind: "read-error", reason: "input could not be read to the end: connection reset" });
        expect(csv).to.equal(csvOf(manifest.rowsOut));
    });

    it("the first whole-input failure is the one reported: corrupt gzip, then a read error", async () => {
        const corrupt = Buffer.from(gzipSync(ndjson(100)));
        corrupt[3] = 0xff;
        const { manifest } = await convert(failingInput([corrupt], new Error("late read error"), tick(100)));
        expect(manifest.error?.kind).to.equal("corrupt-gzip");
        expect(manifest.bytesIn).to.equal(corrupt.length);
    });

    it("after a gzip failure the rest of the input is only hashed: no listener piles up per chunk", async () => {
        const corrupt = Buffer.from(gzipSync(ndjson(10)));
        corrupt[3] = 0xff;
        const junk = Array.from({ length: 40 }, (_, i) => Buffer.alloc(64 * 1024, i));
        async function* slowTail(): AsyncGenerator<Buffer> {
            yield corrupt;
            await new Promise((resolve) => setTimeout(resolve, 20)); // the gunzip error comes first
            yield* junk;
        }
        const warnings: Error[] = [];
        const onWarning = (w: Error): number => warnings.push(w);
        process.on("warning", onWarning);
        try {
            const { manifest } = await convert(Readable.from(slowTail()));
            await new Promise((resolve) => setImmediate(resolve));
            const all = Buffer.concat([corrupt, ...junk]);
            expect(manifest).to.include({ gzip: true, complete: false, bytesIn: all.length, sha256: sha256(all) });
            expect(manifest.error?.kind).to.equal("corrupt-gzip");
        } finally {
            process.off("warning", onWarning);
        }
        expect(warnings.map((w) => w.message)).to.deep.equal([]);
    });

    it("string chunks count and hash as their UTF-8 bytes", async () => {
        const text = ndjson(2) + line(reading({ seq: 2, detector_id: "MD-00é" })) + "\n";
        const { manifest } = await convert(Readable.from([text.slice(0, 5), text.slice(5)]));
        const bytes = Buffer.from(text, "utf8");
        expect(manifest).to.include({ bytesIn: bytes.length, sha256: sha256(bytes), gzip: false, rowsOut: 2, rowsQuarantined: 1 });
    });

    it(`rows are written in batches of ${CSV_ROW_BATCH} (never smaller before the end), progress once per decoded chunk, no empty writes`, async () => {
        const n = 2 * CSV_ROW_BATCH;
        async function* oneLineAtATime(): AsyncGenerator<Buffer> {
            for (let seq = 0; seq < n; seq++) {
                yield Buffer.from(line(reading({ seq })) + "\n");
                if (seq % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
            }
        }
        const curated = recorder();
        const quarantine = recorder();
        const progress: Array<{ bytesIn: number; rowsIn: number }> = [];
        const manifest = await convertStream({
            input: Readable.from(oneLineAtATime()), sourceKey: "k", curated: curated.stream, quarantine: quarantine.stream,
            onProgress: (p) => progress.push({ ...p }),
        });
        expect(manifest).to.include({ rowsOut: n, complete: true });
        expect(curated.writes.join("")).to.equal(csvOf(n));
        expect(curated.writes[0]).to.equal(CSV_HEADER + "\n");
        expect(curated.writes.every((w) => w.length > 0)).to.equal(true);
        expect(quarantine.writes).to.deep.equal([]);
        // The converter flushes after a decoded chunk once CSV_ROW_BATCH rows are pending: replay that from the progress reports.
        const expected: number[] = [];
        let flushed = 0;
        for (const p of progress) {
            if (p.rowsIn - flushed >= CSV_ROW_BATCH) { expected.push(p.rowsIn - flushed); flushed = p.rowsIn; }
        }
        if (n > flushed) expected.push(n - flushed);
        expect(curated.writes.slice(1).map((w) => w.split("\n").length - 1)).to.deep.equal(expected);
        expect(expected.slice(0, -1).every((size) => size >= CSV_ROW_BATCH)).to.equal(true);
        expect(progress.length).to.be.greaterThan(2);
        for (let i = 1; i < progress.length; i++) {
            expect(progress[i].bytesIn).to.be.at.least(progress[i - 1].bytesIn);
            expect(progress[i].rowsIn).to.be.at.least(progress[i - 1].rowsIn);
        }
        expect(progress.at(-1)).to.deep.equal({ bytesIn: manifest.bytesIn, rowsIn: n });
    });

    it(`a chunk that completes exactly ${CSV_ROW_BATCH} rows is written before the next chunk is converted; nothing empty is written at the end`, async () => {
        const lines = ndjson(2 * CSV_ROW_BATCH).split("\n");
        const part = (from: number, to: number): Buffer => Buffer.from(lines.slice(from, to).map((l) => l + "\n").join(""));
        async function* twoBatches(): AsyncGenerator<Buffer> {
            yield part(0, CSV_ROW_BATCH);
            await new Promise((resolve) => setTimeout(resolve, 20)); // lets the converter take the first chunk alone
            yield part(CSV_ROW_BATCH, 2 * CSV_ROW_BATCH);
        }
        const curated = recorder();
        const writtenAtProgress: number[] = [];
        const rowsWritten = (): number => curated.writes.slice(1).reduce((n, w) => n + w.split("\n").length - 1, 0);
        await convertStream({
            input: Readable.from(twoBatches()), sourceKey: "k", curated: curated.stream, quarantine: sink().stream,
            onProgress: () => writtenAtProgress.push(rowsWritten()),
        });
        expect(writtenAtProgress).to.deep.equal([0, CSV_ROW_BATCH]);
        expect(curated.writes.map((w) => w.split("\n").length - 1)).to.deep.equal([1, CSV_ROW_BATCH, CSV_ROW_BATCH]);
    });

    it("both outputs are ended (finished) when the manifest is returned", async () => {
        const curated = sink();
        const quarantine = sink();
        await convertStream({ input: Readable.from([Buffer.from(ndjson(3) + "{bad\n")]), sourceKey: "k", curated: curated.stream, quarantine: quarantine.stream });
        expect(curated.stream.writableFinished).to.equal(true);
        expect(quarantine.stream.writableFinished).to.equal(true);
        expect(quarantine.text().split("\n")).to.have.length(2);
    });

    it("rejects with the output's own error when it fails on end (not an unhandled error event)", async () => {
        const curated = new Writable({ write(_c, _e, done) { done(); }, final(done) { done(new Error("upload aborted")); } });
        const error = await rejection(convertStream({ input: Readable.from([Buffer.from(ndjson(2))]), sourceKey: "k", curated, quarantine: sink().stream }));
        expect(error.message).to.equal("upload aborted");
    });

    describe("an output failing while the converter waits for input, not for drain (an upload failing under it)", () => {
        /** Converts from an input it feeds by hand: one chunk, then `between`, then no more input. */
        async function failBetweenChunks(between: (outputs: { curated: Writable; quarantine: Writable }) => void): Promise<Error> {
            const input = new PassThrough();
            const outputs = { curated: createCuratedGzip(), quarantine: sink().stream };
            let converted!: () => void;
            const firstChunk = new Promise<void>((resolve) => (converted = resolve));
            const conversion = convertStream({ input, sourceKey: "k", ...outputs, onProgress: () => converted() });
            input.write(line(reading({ seq: 1 })) + "{bad\n");
            await firstChunk;
            between(outputs);
            // No more input comes: the conversion must stop on the output's error, not wait for the input to end.
            const stillWaiting = new Promise<Error>((resolve) => setTimeout(() => resolve(new Error("still waiting for input")), 2000).unref());
            const error = await Promise.race([rejection(conversion), stillWaiting]);
            expect(input.destroyed, "the input is let go").to.equal(true);
            return error;
        }

        it("the curated gzip destroyed with an error rejects the conversion with it (no unhandled error event)", async () => {
            const error = await failBetweenChunks(({ curated }) => curated.destroy(new Error("curated upload failed")));
            expect(error.message).to.equal("curated upload failed");
        });

        it("the quarantine output destroyed with an error rejects the conversion with it", async () => {
            const error = await failBetweenChunks(({ quarantine }) => quarantine.destroy(new Error("quarantine upload failed")));
            expect(error.message).to.equal("quarantine upload failed");
        });

        it("an output destroyed with an error after the conversion ended raises nothing", async () => {
            const curated = createCuratedGzip();
            curated.resume();
            const manifest = await convertStream({ input: Readable.from([Buffer.from(ndjson(2))]), sourceKey: "k", curated, quarantine: sink().stream });
            expect(manifest.rowsOut).to.equal(2);
            curated.destroy(new Error("late failure"));
            await new Promise((resolve) => setTimeout(resolve, 10)); // an unhandled error event would fail this test here
            expect(curated.errored?.message).to.equal("late failure");
        });
    });

    it("rejects when an output was closed without an error", async () => {
        const closed = sink().stream;
        closed.destroy();
        const error = await rejection(convertStream({ input: Readable.from([Buffer.from(ndjson(2))]), sourceKey: "k", curated: closed, quarantine: sink().stream }));
        expect(error.message).to.equal("output stream was closed before conversion finished");
    });

    it("an input without destroy() does not mask the output's failure", async () => {
        const data = Buffer.from(ndjson(3));
        const input = { async *[Symbol.asyncIterator]() { yield data; } } as unknown as NodeJS.ReadableStream;
        const failing = new Writable({ write(_c, _e, done) { done(new Error("disk full")); } });
        const error = await rejection(convertStream({ input, sourceKey: "k", curated: failing, quarantine: sink().stream }));
        expect(error.message).to.equal("disk full");
    });
});

