import { expect } from "chai";
import { createHash } from "crypto";
import fc from "fast-check";
import { Readable, Writable } from "stream";
import { gzipSync } from "zlib";
import { convertStream, CSV_HEADER, MAX_LINE_BYTES, toCsvRow } from "../../../functions/telemetry";
import { badLineArb, chunked, convert, expectConserved, line, reading, readingArb, sink } from "./fixtures";

const ndjson = (lines: string[]): string => lines.join("\n") + "\n";
const goodLines = (n: number, detector = "MD-0042"): string[] => Array.from({ length: n }, (_, i) => line(reading({ detector_id: detector, seq: i })));
const csvOf = (seqs: number[]): string => [CSV_HEADER, ...seqs.map((seq) => toCsvRow(reading({ seq })))].join("\n") + "\n";
const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

describe("functions/telemetry: convertStream (one batch file)", () => {
    it("NDJSON: CSV with header, empty quarantine, full manifest", async () => {
        const data = Buffer.from(ndjson([
            line(reading({ seq: 0, timestamp: "2024-05-01T12:00:05Z" })),
            line(reading({ seq: 1, timestamp: "2024-05-01T12:00:01.5Z" })),
            line(reading({ seq: 2, detector_id: "MD-0007", timestamp: "2024-05-01T12:00:09Z" })),
        ]));
        const { manifest, csv, quarantine } = await convert(data);
        expect(csv.split("\n")[0]).to.equal(CSV_HEADER);
        expect(csv.trimEnd().split("\n")).to.have.length(4);
        expect(quarantine).to.deep.equal([]);
        expect(manifest).to.deep.equal({
            sourceKey: "incoming/site/test.ndjson", sha256: sha256(data), bytesIn: data.length, gzip: false, format: "ndjson",
            rowsIn: 3, rowsOut: 3, rowsQuarantined: 0, reasons: {},
            firstTimestamp: "2024-05-01T12:00:01.5Z", lastTimestamp: "2024-05-01T12:00:09Z",
            detectors: ["MD-0007", "MD-0042"], complete: true,
        });
    });

    it("gzip JSON array gives the same CSV as plain NDJSON, checksum of the compressed bytes", async () => {
        const readings = [0, 1, 2].map((seq) => reading({ seq }));
        const gz = gzipSync(JSON.stringify(readings, null, 2));
        const { manifest, csv } = await convert(gz, { cuts: [0.001, 0.5] });
        expect(csv).to.equal(csvOf([0, 1, 2]));
        expect(manifest).to.include({ gzip: true, format: "json-array", rowsIn: 3, rowsOut: 3, complete: true, sha256: sha256(gz), bytesIn: gz.length });
    });

    it("a UTF-8 BOM and CRLF line ends are accepted", async () => {
        const { manifest, csv } = await convert(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(goodLines(2).join("\r\n"))]), { cuts: [0.0001, 0.0002] });
        expect(manifest).to.include({ rowsOut: 2, rowsQuarantined: 0 });
        expect(csv).to.equal(csvOf([0, 1]));
    });

    it("an empty file and a whitespace-only file: no rows, a manifest-level error", async () => {
        const empty = await convert(Buffer.alloc(0));
        expect(empty.manifest).to.include({ rowsIn: 0, rowsOut: 0, rowsQuarantined: 0, format: "empty", complete: true });
        expect(empty.manifest.error).to.deep.equal({ kind: "empty-file", reason: "file is empty" });
        expect(empty.csv).to.equal(CSV_HEADER + "\n");
        const blank = await convert(" \n\n\t\n", { gzip: true });
        expect(blank.manifest.error).to.deep.equal({ kind: "empty-file", reason: "file holds no readings, only whitespace" });
    });

    it("truncated gzip: keeps what was decoded, quarantines the remainder as one entry, complete false", async () => {
        const lines = goodLines(2000);
        const gz = gzipSync(ndjson(lines));
        const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
        const { manifest, csv, quarantine } = await convert(cut, { cuts: [0.3] });
        expectConserved(manifest);
        expect(manifest).to.include({ complete: false, gzip: true, rowsQuarantined: 1, sha256: sha256(cut) });
        expect(manifest.error?.kind).to.equal("truncated-gzip");
        expect(manifest.rowsOut).to.be.greaterThan(0).and.lessThan(2000);
        expect(csv).to.equal(csvOf(Array.from({ length: manifest.rowsOut }, (_, i) => i)));
        expect(quarantine).to.have.length(1);
        expect(quarantine[0]).to.include({ kind: "truncated-gzip", line: manifest.rowsOut + 1 });
        expect(lines[manifest.rowsOut].startsWith(quarantine[0].raw)).to.equal(true);
    });

    it("corrupt gzip data is a corrupt-gzip remainder, and the checksum still covers every byte", async () => {
        const gz = Buffer.from(gzipSync(ndjson(goodLines(3000))));
        for (let i = 200; i < 260; i++) gz[i] ^= 0x5a;
        const { manifest } = await convert(gz, { cuts: [0.1, 0.2, 0.7] });
        expectConserved(manifest);
        expect(manifest.complete).to.equal(false);
        expect(manifest.error?.kind).to.equal("corrupt-gzip");
        expect(manifest.sha256).to.equal(sha256(gz));
        expect(manifest.bytesIn).to.equal(gz.length);
    });

    it("a read error mid-file keeps the rows read so far and quarantines the remainder", async () => {
        const first = Buffer.from(ndjson(goodLines(10)) + line(reading({ seq: 10 })).slice(0, 30));
        const input = new Readable({ read() {} });
        input.push(first);
        setImmediate(() => input.destroy(new Error("connection reset by peer")));
        const { manifest, quarantine } = await convert(input);
        expectConserved(manifest);
        expect(manifest).to.include({ rowsOut: 10, rowsQuarantined: 1, complete: false });
        expect(manifest.error?.kind).to.equal("read-error");
        expect(manifest.error?.reason).to.include("connection reset by peer");
        expect(quarantine[0]).to.include({ line: 11, kind: "read-error" });
    });

    it("invalid UTF-8 and over-long lines are quarantined individually across chunk boundaries", async () => {
        const bad = Buffer.from([0x7b, 0xc3, 0x28, 0x7d]);
        const long = Buffer.from(JSON.stringify({ ...reading({ seq: 99 }), pad: "y".repeat(MAX_LINE_BYTES + 10) }));
        const data = Buffer.concat([Buffer.from(goodLines(2).join("\n") + "\n"), bad, Buffer.from("\n"), long, Buffer.from("\n" + line(reading({ seq: 5 })))]);
        const { manifest, quarantine, csv } = await convert(data, { cuts: [0.0001, 0.3, 0.5, 0.9999] });
        expectConserved(manifest);
        expect(manifest).to.include({ rowsIn: 5, rowsOut: 3, complete: true });
        expect(manifest.reasons).to.deep.equal({ "invalid-utf8": 1, "line-too-long": 1 });
        expect(quarantine.map((q) => q.line)).to.deep.equal([3, 4]);
        expect(quarantine[1].raw).to.have.length(1024);
        expect(csv).to.equal(csvOf([0, 1, 5]));
    });

    it("duplicates (detector_id, seq) across the whole file are quarantined, other detectors are not", async () => {
        const lines = [...goodLines(500), ...goodLines(500, "MD-0001"), line(reading({ seq: 250 })), line(reading({ seq: 499 })), line(reading({ seq: 500 }))];
        const { manifest, quarantine } = await convert(ndjson(lines), { cuts: [0.25, 0.5, 0.75] });
        expect(manifest).to.include({ rowsIn: 1003, rowsOut: 1001, rowsQuarantined: 2 });
        expect(manifest.reasons).to.deep.equal({ duplicate: 2 });
        expect(quarantine.map((q) => q.line)).to.deep.equal([1001, 1002]);
    });

    it("JSON array: a bad element is quarantined and the next ones still convert", async () => {
        const text = `[${line(reading({ seq: 0 }))}, {"seq": }, "x", {"a": [1, {"b": "],"}]}, ${line(reading({ seq: 1 }))}]`;
        const { manifest, quarantine, csv } = await convert(text, { cuts: [0.1, 0.52] });
        expect(manifest).to.include({ format: "json-array", rowsIn: 5, rowsOut: 2, rowsQuarantined: 3, complete: true });
        expect(quarantine.map((q) => [q.line, q.kind])).to.deep.equal([[2, "malformed-json"], [3, "not-an-object"], [4, "missing-field"]]);
        expect(csv).to.equal(csvOf([0, 1]));
    });

    it("JSON array: garbage after the closing bracket, an unclosed array and a stray comma", async () => {
        const garbage = await convert(`[${line(reading())}] trailing {junk}`);
        expect(garbage.manifest).to.include({ rowsOut: 1, rowsQuarantined: 1, complete: false });
        expect(garbage.manifest.error?.kind).to.equal("trailing-garbage");
        expect(garbage.quarantine[0]).to.include({ kind: "trailing-garbage", raw: "trailing {junk}" });

        const unclosed = await convert(`[${line(reading({ seq: 0 }))},${line(reading({ seq: 1 }))}`);
        expect(unclosed.manifest).to.include({ rowsOut: 1, rowsQuarantined: 1, complete: false });
        expect(unclosed.manifest.error?.kind).to.equal("unclosed-array");

        const comma = await convert(`[${line(reading())},]`);
        expect(comma.manifest).to.include({ rowsOut: 1, rowsQuarantined: 1, complete: true });
        expect(comma.quarantine[0].reason).to.include("empty array element");

        const huge = JSON.stringify({ pad: "z".repeat(MAX_LINE_BYTES), nested: ["],", "{"] });
        const big = await convert(`[${line(reading({ seq: 0 }))},${huge},${line(reading({ seq: 1 }))}]`, { cuts: [0.2, 0.4, 0.6] });
        expect(big.manifest).to.include({ rowsOut: 2, rowsQuarantined: 1, complete: true });
        expect(big.quarantine[0]).to.include({ line: 2, kind: "line-too-long" });

        const none = await convert("[ ]");
        expect(none.manifest).to.include({ rowsIn: 0, format: "json-array", complete: true });
        expect(none.manifest.error).to.equal(undefined);
    });

    it("respects backpressure of slow outputs and loses nothing", async () => {
        const slow = (): { stream: Writable; text: () => string } => {
            const parts: Buffer[] = [];
            const stream = new Writable({ highWaterMark: 16, write(chunk: Buffer, _e, done) { parts.push(chunk); setImmediate(done); } });
            return { stream, text: () => Buffer.concat(parts).toString() };
        };
        const curated = slow();
        const quarantine = slow();
        const lines = goodLines(5000).flatMap((l, i) => (i % 100 === 0 ? [l, "{bad"] : [l]));
        const manifest = await convertStream({ input: chunked(Buffer.from(ndjson(lines)), [0.1, 0.2, 0.3, 0.6]), sourceKey: "k", curated: curated.stream, quarantine: quarantine.stream });
        expect(manifest).to.include({ rowsOut: 5000, rowsQuarantined: 50 });
        expect(curated.text()).to.equal(csvOf(Array.from({ length: 5000 }, (_, i) => i)));
        expect(quarantine.text().trimEnd().split("\n")).to.have.length(50);
    });

    it("rejects (does not hang or swallow) when an output stream fails", async () => {
        const failing = new Writable({ write(_c, _e, done) { done(new Error("disk full")); } });
        const quarantine = sink();
        const run = convertStream({ input: chunked(Buffer.from(ndjson(goodLines(10)))), sourceKey: "k", curated: failing, quarantine: quarantine.stream });
        let error: unknown;
        await run.catch((err) => (error = err));
        expect((error as Error).message).to.equal("disk full");
    });

    it("rejects when the quarantine output is already closed, instead of waiting for a drain that never comes", async () => {
        const curated = sink();
        const closed = sink().stream;
        closed.destroy(new Error("bucket gone"));
        closed.on("error", () => undefined);
        let error: unknown;
        await convertStream({ input: chunked(Buffer.from("{bad\n")), sourceKey: "k", curated: curated.stream, quarantine: closed }).catch((err) => (error = err));
        expect((error as Error).message).to.equal("bucket gone");
    });

    it("conservation and exact outcome: NDJSON or array, gzip or plain, any chunking (property)", async () => {
        const item = fc.oneof(readingArb.map((r) => ({ good: r })), badLineArb.map((b) => ({ bad: b })), fc.nat({ max: 40 }).map((n) => ({ dup: n })));
        await fc.assert(fc.asyncProperty(
            fc.array(item, { maxLength: 40 }), fc.boolean(), fc.boolean(), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
            async (items, asArray, gzip, cuts) => {
                const texts: string[] = [];
                const expectedRows: string[] = [];
                const expectedBad: Array<[number, string]> = [];
                const goods: string[] = [];
                items.forEach((it, i) => {
                    if ("good" in it) {
                        const text = line({ ...it.good, seq: i });
                        texts.push(text);
                        goods.push(text);
                        expectedRows.push(toCsvRow(JSON.parse(text)));
                    } else if ("dup" in it && goods.length > 0) {
                        texts.push(goods[it.dup % goods.length]);
                        expectedBad.push([texts.length, "duplicate"]);
                    } else if ("bad" in it) {
                        texts.push(it.bad.text);
                        expectedBad.push([texts.length, it.bad.kind]);
                    }
                });
                const body = asArray ? `[\n${texts.join(",\n")}\n]` : texts.join("\n");
                const { manifest, csv, quarantine } = await convert(body, { gzip, cuts });
                expectConserved(manifest);
                expect(manifest.rowsIn).to.equal(texts.length);
                expect(manifest.complete).to.equal(true);
                expect(csv).to.equal([CSV_HEADER, ...expectedRows].join("\n") + "\n");
                expect(quarantine.map((q) => [q.line, q.kind])).to.deep.equal(expectedBad);
            },
        ), { numRuns: 150 });
    });

    it("conservation when gzip input is cut anywhere: rows are a prefix, checksum of the bytes given (property)", async () => {
        const lines = goodLines(300);
        const gz = gzipSync(ndjson(lines));
        await fc.assert(fc.asyncProperty(fc.integer({ min: 2, max: gz.length - 1 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }), async (at, cuts) => {
            const cut = gz.subarray(0, at);
            const { manifest, csv } = await convert(cut, { cuts });
            expectConserved(manifest);
            expect(manifest.complete).to.equal(false);
            expect(manifest.sha256).to.equal(sha256(cut));
            expect(csv).to.equal(csvOf(Array.from({ length: manifest.rowsOut }, (_, i) => i)));
        }), { numRuns: 60 });
    });
});
