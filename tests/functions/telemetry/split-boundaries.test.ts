/**
 * InputSplitter driven directly with a Tally: exact byte boundaries (line limit, BOMs, NUL runs,
 * chunk cuts), line/element numbering and every whole-input refusal, each checked for conservation.
 */
import { expect } from "chai";
import fc from "fast-check";
import { DECODE_BYTES, MAX_LINE_BYTES, RAW_PREVIEW_CHARS } from "../../../functions/telemetry/limits";
import { EndState, InputSplitter } from "../../../functions/telemetry/split";
import { Tally } from "../../../functions/telemetry/tally";
import { line, reading } from "./fixtures";

interface Split { tally: Tally; end: EndState; format: string; seqs: number[]; entries: Array<{ line: number; kind: string; reason: string; raw: string }> }

/** Pushes the chunks in order, ends the input and checks conservation. */
function split(chunks: Array<Buffer | string>): Split {
    const tally = new Tally();
    const splitter = new InputSplitter(tally);
    for (const c of chunks) splitter.push(typeof c === "string" ? Buffer.from(c) : c);
    const end = splitter.end();
    expect(tally.rowsIn).to.equal(tally.rowsOut + tally.rowsQuarantined);
    return { tally, end, format: splitter.format, seqs: tally.rows.map((r) => r.seq), entries: tally.quarantined.map((q) => ({ ...q })) };
}

/** The bytes cut at every given offset. */
function cutAt(data: Buffer, offsets: number[]): Buffer[] {
    const points = [...new Set(offsets.filter((o) => o > 0 && o < data.length))].sort((a, b) => a - b);
    const out: Buffer[] = [];
    let start = 0;
    for (const p of [...points, data.length]) { out.push(data.subarray(start, p)); start = p; }
    return out;
}

const r = (seq: number): string => line(reading({ seq }));
/** A valid reading padded with spaces to exactly `bytes` bytes. */
const paddedReading = (seq: number, bytes: number): string => r(seq).replace(/}$/, " ".repeat(bytes - r(seq).length) + "}");
const kinds = (s: Split) => s.entries.map((e) => [e.line, e.kind]);

describe("InputSplitter boundaries", () => {
    describe("NDJSON", () => {
        it("keeps every reading and every line number whatever the chunk cuts, line ends and blank lines", () => {
            const lineArb = fc.oneof(
                { weight: 3, arbitrary: fc.constant("row") },
                fc.constantFrom("", " ", "\t", "\r", "  \t ", "{\"seq\":}", "\xff"),
            );
            fc.assert(fc.property(fc.array(lineArb, { maxLength: 12 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(),
                (lines, crlf, cuts, leadingWs) => {
                    const texts = lines.map((l, i) => (l === "row" ? (leadingWs && i % 2 ? " " : "") + r(i) : l));
                    const eol = crlf ? "\r\n" : "\n";
                    // "\xff" stands for one invalid byte, which sends its chunk down the per-line byte path.
                    const data = Buffer.concat(texts.map((t) => Buffer.concat([t === "\xff" ? Buffer.from([0xff]) : Buffer.from(t), Buffer.from(eol)])));
                    const s = split(cutAt(data, cuts.map((c) => c % (data.length + 1))));
                    expect(s.seqs).to.deep.equal(lines.flatMap((l, i) => (l === "row" ? [i] : [])));
                    expect(kinds(s)).to.deep.equal(texts.flatMap((t, i) => (t === "{\"seq\":}" ? [[i + 1, "malformed-json"]] : t === "\xff" ? [[i + 1, "invalid-utf8"]] : [])));
                    expect(s.end).to.deep.equal({ complete: true });
                }), { numRuns: 300 });
        });

        it("numbers lines after leading blank lines and treats a leading CR as whitespace", () => {
            expect(kinds(split(["\n\n \r\n{\"seq\":}\n"]))).to.deep.equal([[4, "malformed-json"]]);
            // A chunk whose only whole line after the carried-over one is blank: that line still counts.
            expect(kinds(split(["{\"se", "q\":}\n\n", "{\"seq\":}\n"]))).to.deep.equal([[1, "malformed-json"], [3, "malformed-json"]]);
            expect(split(["\r" + r(1)]).seqs).to.deep.equal([1]);
            const viaBytes = split([Buffer.concat([Buffer.from([0xff]), Buffer.from("\n\r\r\n \t\n" + r(3) + "\r\n")])]);
            expect(kinds(viaBytes)).to.deep.equal([[1, "invalid-utf8"]]);
            expect(viaBytes.seqs).to.deep.equal([3]);
        });

        it("accepts a line of exactly the limit and refuses one byte more, on the text, byte and carried-over paths", () => {
            const atLimit = paddedReading(1, MAX_LINE_BYTES);
            const over = paddedReading(2, MAX_LINE_BYTES + 1);
            const invalid = Buffer.from([0xff, 0x0a]);
            for (const chunks of [
                [atLimit + "\n" + over + "\n"],
                [Buffer.concat([Buffer.from(atLimit + "\n" + over + "\n"), invalid])],
                [atLimit.slice(0, 10), atLimit.slice(10) + "\n" + over.slice(0, 5), over.slice(5, 3000), over.slice(3000) + "\n"],
                [atLimit + "\n" + over],
            ]) {
                const s = split(chunks);
                expect(s.seqs).to.deep.equal([1]);
                const tooLong = s.entries.filter((e) => e.kind === "line-too-long");
                expect(tooLong.map((e) => e.line)).to.deep.equal([2]);
                expect(tooLong[0].raw).to.equal(over.slice(0, RAW_PREVIEW_CHARS));
                expect(tooLong[0].reason).to.equal("line of 1.00 MiB exceeds the 1.00 MiB limit");
            }
        });

        it("counts bytes, not characters: a line of multi-byte characters within the byte limit is kept", () => {
            const text = JSON.stringify({ ...reading({ seq: 5 }), note: "é".repeat(400_000) });
            expect(Buffer.byteLength(text)).to.be.below(MAX_LINE_BYTES);
            const s = split([text + "\n"]);
            expect(kinds(s)).to.deep.equal([[1, "unknown-field"]]);
        });

        it("decodes a chunk in pieces of DECODE_BYTES ending at newlines: lines at, around and over a piece's end are kept whole and numbered", () => {
            // Each layout is one chunk: line lengths near DECODE_BYTES put a newline at, just before and just after a piece's end.
            const lengthArb = fc.oneof(
                fc.integer({ min: -2, max: 2 }).map((d) => DECODE_BYTES + d),
                fc.integer({ min: 1, max: 4 }).map((k) => Math.floor(DECODE_BYTES / k) - 1),
                fc.constantFrom(0, 1, 2 * DECODE_BYTES + 1),
            );
            fc.assert(fc.property(fc.array(lengthArb, { minLength: 1, maxLength: 8 }), fc.boolean(), (lengths, multibyte) => {
                // Length 0 is a blank line, 1 a malformed one; longer lines are readings padded to that many bytes,
                // holding an "é" (2 bytes) when multibyte, which makes them unknown-field readings with that raw text.
                const texts = lengths.map((n, i) => {
                    if (n < 2) return n === 0 ? "" : "{";
                    if (!multibyte) return paddedReading(i, n);
                    const base = line({ ...reading({ seq: i }), note: "é" });
                    return base.replace(/}$/, " ".repeat(n - Buffer.byteLength(base)) + "}");
                });
                const data = Buffer.from(texts.map((t) => t + "\n").join(""));
                fc.pre(data.length > DECODE_BYTES); // otherwise one piece: nothing to check
                const s = split([data]);
                const readings = lengths.flatMap((n, i) => (n >= 2 ? [i] : []));
                expect(s.seqs).to.deep.equal(multibyte ? [] : readings);
                expect(kinds(s)).to.deep.equal(lengths.flatMap((n, i) => (n === 1 ? [[i + 1, "malformed-json"]] : n >= 2 && multibyte ? [[i + 1, "unknown-field"]] : [])));
                if (multibyte) expect(s.entries.filter((e) => e.kind === "unknown-field").every((e) => e.raw.includes("\"note\":\"é\""))).to.equal(true);
            }), { numRuns: 60 });
        });

        it("decodes a chunk of whole lines once per piece, each at most DECODE_BYTES and ending at a newline (the speed contract, seen from the decoder)", () => {
            const rows = Array.from({ length: Math.ceil((3.5 * DECODE_BYTES) / r(0).length) }, (_, i) => r(i));
            const data = Buffer.from(rows.map((t) => t + "\n").join(""));
            const decoded: string[] = [];
            const toString = Buffer.prototype.toString;
            Buffer.prototype.toString = function (this: Buffer, ...args: Parameters<Buffer["toString"]>): string {
                const text = toString.apply(this, args);
                decoded.push(text); // the splitter works on its own copy of the first chunk: every decode counts
                return text;
            };
            let s: Split;
            try {
                s = split([data]);
            } finally {
                Buffer.prototype.toString = toString;
            }
            expect(s.seqs).to.have.length(rows.length);
            expect(decoded.length).to.be.within(4, 5); // pieces, not lines
            expect(decoded.every((piece) => Buffer.byteLength(piece) <= DECODE_BYTES)).to.equal(true);
            expect(decoded.join("\n")).to.equal(data.toString("utf8", 0, data.length - 1));
        });
    });

    describe("JSON array", () => {
        it("splits only at top-level commas, whatever strings, escapes and nesting hold, at any chunk cut", () => {
            const tricky = "{\"x\":\"a\\\"],{[b\\\\\",\"y\":[1,{\"z\":\"]\"}]}";
            const text = `[ ${r(1)}, ${tricky} , [1,[2,3]] ,"",${r(2)} ]  \n`;
            fc.assert(fc.property(fc.array(fc.nat({ max: text.length }), { maxLength: 6 }), (cuts) => {
                const s = split(cutAt(Buffer.from(text), cuts));
                expect(s.format).to.equal("json-array");
                expect(s.seqs).to.deep.equal([1, 2]);
                expect(s.entries.map((e) => e.line)).to.deep.equal([2, 3, 4]);
                expect(s.end).to.deep.equal({ complete: true });
            }), { numRuns: 100 });
        });

        it("quarantines each stray comma with its element number; [] and [ ] are empty", () => {
            const s = split([`[,${r(1)},,${r(2)},]`]);
            expect(s.seqs).to.deep.equal([1, 2]);
            expect(s.entries).to.deep.equal([1, 3, 5].map((n) => ({ line: n, kind: "malformed-json", reason: "malformed JSON: empty array element (stray comma)", raw: "" })));
            for (const empty of ["[]", "[ \n ]", " \n[\t]\n"]) {
                const e = split([empty]);
                expect([e.tally.rowsIn, e.format, e.end.complete]).to.deep.equal([0, "json-array", true]);
            }
        });

        it("reports an unclosed array and trailing garbage with their exact reasons and raw text", () => {
            const unclosed = split([`[${r(1)}, {"a"`]);
            expect(unclosed.end).to.deep.equal({ complete: false, error: { kind: "unclosed-array", reason: "input ends inside the JSON array (no closing ])" } });
            expect(unclosed.entries).to.deep.equal([{ line: 2, kind: "unclosed-array", reason: "input ends inside the JSON array (no closing ])", raw: " {\"a\"" }]);
            const garbage = split([`[${r(1)}]  x`, "yz", "[more]"]);
            expect(garbage.end).to.deep.equal({ complete: false, error: { kind: "trailing-garbage", reason: "content after the closing ] of the JSON array" } });
            expect(garbage.entries).to.deep.equal([{ line: 2, kind: "trailing-garbage", reason: "content after the closing ] of the JSON array", raw: "x" }]);
            expect(garbage.seqs).to.deep.equal([1]);
        });

        it("pending() names the element in progress, or the garbage after the array", () => {
            const tally = new Tally();
            const inArray = new InputSplitter(tally);
            inArray.push(Buffer.from(`[${r(1)},{"b":`));
            expect(inArray.pending()).to.deep.equal({ line: 2, text: "{\"b\":" });
            const after = new InputSplitter(tally);
            after.push(Buffer.from(`[${r(2)}] oops`));
            expect(after.pending()).to.deep.equal({ line: 2, text: "oops" });
        });
    });

    describe("byte order marks", () => {
        it("drops a UTF-8 BOM, also cut at every byte; a lone partial BOM is an invalid-UTF-8 line", () => {
            const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(r(1) + "\n")]);
            for (let cut = 0; cut <= 4; cut++) expect(split(cutAt(withBom, [1, 2, cut])).seqs).to.deep.equal([1]);
            for (const partial of [[0xef], [0xef, 0xbb]]) expect(kinds(split([Buffer.from(partial)]))).to.deep.equal([[1, "invalid-utf8"]]);
            const notBom = split([Buffer.from([0xef, 0xbb]), Buffer.from("x\n" + r(2) + "\n")]);
            expect(kinds(notBom)).to.deep.equal([[1, "invalid-utf8"]]);
            expect(notBom.seqs).to.deep.equal([2]);
        });

        it("refuses UTF-16 as a whole, also when its BOM is cut, and ignores everything after", () => {
            const body = "A".repeat(RAW_PREVIEW_CHARS + 10);
            const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, "utf16le")]);
            const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(body, "utf16le").swap16(), Buffer.from([0x00])]);
            for (const [bytes, name] of [[le, "UTF-16LE"], [be, "UTF-16BE"]] as const) {
                for (const chunks of [[bytes], [bytes.subarray(0, 1), bytes.subarray(1)]]) {
                    const s = split([...chunks, r(1) + "\n"]);
                    const reason = `file is ${name} (by its byte order mark), not UTF-8: re-save it as UTF-8 and convert again`;
                    expect(s.end).to.deep.equal({ complete: false, error: { kind: "wrong-encoding", reason } });
                    expect(s.entries).to.deep.equal([{ line: 1, kind: "wrong-encoding", reason, raw: "A".repeat(RAW_PREVIEW_CHARS) }]);
                }
            }
            expect(split([Buffer.from([0xfe, 0xff, 0x00, 0x42, 0x00])]).entries[0].raw).to.equal("B");
        });

        it("takes a first byte of a UTF-16 BOM without its second byte as content", () => {
            for (const chunks of [[Buffer.from([0xff])], [Buffer.from([0xff]), Buffer.from("\n" + r(1) + "\n")], [Buffer.from([0xfe, 0x41, 0x0a])]]) {
                const s = split(chunks);
                expect(kinds(s)).to.deep.equal([[1, "invalid-utf8"]]);
                expect(s.end.complete).to.equal(true);
            }
            expect(split([Buffer.from([0xff]), Buffer.from("\n" + r(1) + "\n")]).seqs).to.deep.equal([1]);
        });
    });

    describe("NUL padding", () => {
        const nuls = (n: number) => Buffer.alloc(n);
        const reason = (n: number) => `${n} NUL bytes: space allocated but never written (power loss while recording?); readings cut short by it are quarantined beside this entry`;

        it("makes one entry per run, counted across chunks, at the line it interrupts", () => {
            const s = split([r(1) + "\n", nuls(2), nuls(3), r(2) + "\n"]);
            expect(s.seqs).to.deep.equal([1, 2]);
            expect(s.entries).to.deep.equal([{ line: 2, kind: "nul-padding", reason: reason(5), raw: "" }]);
            const cut = split([Buffer.concat([Buffer.from(`{"seq":`), nuls(4), Buffer.from(`7}\n` + r(3) + "\n")])]);
            expect(kinds(cut)).to.deep.equal([[1, "malformed-json"], [1, "nul-padding"], [1, "malformed-json"]]);
            expect(cut.seqs).to.deep.equal([3]);
        });

        it("numbers padding before any content by the newlines before it, and padding at the end", () => {
            expect(split([Buffer.concat([Buffer.from("\n\n"), nuls(1), Buffer.from(r(1))])]).entries.map((e) => e.line)).to.deep.equal([3]);
            const trailing = split([r(1) + "\n", Buffer.concat([Buffer.from(r(2) + "\n"), nuls(6)])]);
            expect(trailing.seqs).to.deep.equal([1, 2]);
            expect(trailing.entries).to.deep.equal([{ line: 3, kind: "nul-padding", reason: reason(6), raw: "" }]);
            const arrayPad = split([Buffer.concat([Buffer.from(`[${r(1)},`), nuls(2), Buffer.from(`${r(2)}]`)])]);
            expect(arrayPad.seqs).to.deep.equal([1, 2]);
            expect(arrayPad.entries).to.deep.equal([{ line: 2, kind: "nul-padding", reason: reason(2), raw: "" }]);
        });

        it("pending() closes an open run and names the next line when nothing came yet", () => {
            const tally = new Tally();
            const splitter = new InputSplitter(tally);
            splitter.push(Buffer.concat([Buffer.from("\n \n"), nuls(3)]));
            expect(splitter.pending()).to.deep.equal({ line: 3, text: "" });
            expect(tally.quarantined).to.deep.equal([{ line: 3, kind: "nul-padding", reason: reason(3), raw: "" }]);
        });
    });
});
