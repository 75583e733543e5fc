/**
 * Splitting decoded bytes into readings without ever holding more than one line (or array
 * element) in memory: NDJSON is split at "\n"; a JSON array is split at top-level commas by a
 * small scanner that tracks strings and nesting, so each element is parsed on its own and a bad
 * element is quarantined without losing its neighbours. The input format is sniffed from the
 * first non-whitespace byte: "[" is a JSON array, anything else NDJSON.
 */
import { isUtf8 } from "buffer";
import { DECODE_BYTES, MAX_LINE_BYTES, RAW_PREVIEW_CHARS } from "./limits";
import { ReasonKind } from "./reasons";
import { Tally } from "./tally";

const NEWLINE = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** UTF-8 byte order mark (plain numbers: Pulumi serializes arrays into the Lambda, not Buffers). */
const BOM = [0xef, 0xbb, 0xbf];

/** UTF-16 byte order marks: such a file is refused as a whole rather than quarantined byte by byte. */
const UTF16_BOMS = [{ bytes: [0xff, 0xfe], name: "UTF-16LE" }, { bytes: [0xfe, 0xff], name: "UTF-16BE" }];
const NUL = 0x00;

/** How many leading bytes of data match the BOM. */
function bomPrefix(data: Buffer): number {
    let n = 0;
    while (n < BOM.length && n < data.length && data[n] === BOM[n]) n++;
    return n;
}

function isWhitespace(b: number): boolean {
    return b === 0x20 || b === NEWLINE || b === CR || b === 0x09;
}

function isBlank(data: Buffer): boolean {
    for (let i = 0; i < data.length; i++) if (!isWhitespace(data[i])) return false;
    return true;
}

/** What a splitter reports when the input ends cleanly. */
export interface EndState {
    /** false when part of the input was quarantined as one opaque remainder. */
    readonly complete: boolean;
    /** The whole-input problem behind complete: false. */
    readonly error?: { readonly kind: ReasonKind; readonly reason: string };
}

/** The text a failed input leaves unfinished, for its remainder entry. */
export interface Pending {
    readonly line: number;
    readonly text: string;
}

/** Collects the bytes of one line or element, keeping only a preview once it passes the limit. */
class Piece {
    private parts: Buffer[] = [];
    private size = 0;
    private head: Buffer | undefined;

    get tooLong(): boolean {
        return this.head !== undefined;
    }

    get empty(): boolean {
        return this.size === 0;
    }

    append(chunk: Buffer, start: number, end: number): void {
        if (end <= start) return;
        if (this.head === undefined && this.size + (end - start) > MAX_LINE_BYTES) {
            this.head = Buffer.concat([...this.parts, chunk.subarray(start, Math.min(end, start + RAW_PREVIEW_CHARS))]).subarray(0, RAW_PREVIEW_CHARS);
            this.parts = [];
        }
        if (this.head === undefined) this.parts.push(chunk.subarray(start, end));
        this.size += end - start;
    }

    /** The collected bytes (only meaningful when not tooLong). */
    data(): Buffer {
        return this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
    }

    preview(): string {
        return (this.head ?? this.data().subarray(0, RAW_PREVIEW_CHARS)).toString("utf8");
    }

    /** Hands the bytes to the tally as reading number `line`, then resets. */
    deliver(tally: Tally, line: number): void {
        if (this.head !== undefined) tally.tooLong(line, this.size, this.head);
        else tally.bytes(line, this.data());
        this.reset();
    }

    reset(): void {
        this.parts = [];
        this.size = 0;
        this.head = undefined;
    }
}

interface Splitter {
    push(chunk: Buffer): void;
    /** A run of NUL bytes cuts the reading in progress short: deliver what it has so far. */
    interrupt(): void;
    end(): EndState;
    pending(): Pending;
}

class LineSplitter implements Splitter {
    private readonly piece = new Piece();

    constructor(private readonly tally: Tally, private line: number) {}

    push(chunk: Buffer): void {
        let start = 0;
        if (!this.piece.empty) {
            // Finish the line carried over from the previous chunk first.
            const nl = chunk.indexOf(NEWLINE);
            if (nl < 0) {
                this.piece.append(chunk, 0, chunk.length);
                return;
            }
            this.piece.append(chunk, 0, nl);
            this.finish();
            start = nl + 1;
        }
        start = this.wholeLines(chunk, start);
        for (;;) {
            const nl = chunk.indexOf(NEWLINE, start);
            if (nl < 0) {
                this.piece.append(chunk, start, chunk.length);
                return;
            }
            if (this.piece.empty) {
                // Fast path: the whole line is inside this chunk, no copy.
                if (nl - start > MAX_LINE_BYTES) {
                    this.piece.append(chunk, start, nl);
                    this.finish();
                } else {
                    this.finish(chunk.subarray(start, nl));
                }
            } else {
                this.piece.append(chunk, start, nl);
                this.finish();
            }
            start = nl + 1;
        }
    }

    /**
     * Fast path for the common case: the complete lines of a chunk are valid UTF-8, so they are
     * decoded in pieces of about DECODE_BYTES that end at a newline and split as strings (per-line
     * Buffer slicing and decoding cost as much as JSON.parse). Returns where the per-line byte path
     * must continue.
     */
    private wholeLines(chunk: Buffer, start: number): number {
        const last = chunk.lastIndexOf(NEWLINE);
        if (last < start || !isUtf8(chunk.subarray(start, last))) return start;
        let from = start;
        while (from <= last) {
            let cut = from + DECODE_BYTES >= last ? last : chunk.lastIndexOf(NEWLINE, from + DECODE_BYTES);
            if (cut < from) cut = chunk.indexOf(NEWLINE, from + DECODE_BYTES); // one line longer than a piece
            this.lines(chunk.toString("utf8", from, cut));
            from = cut + 1;
        }
        return last + 1;
    }

    /** Every "\n"-separated line of `text` (the text of whole lines without the final terminator). */
    private lines(text: string): void {
        let from = 0;
        for (;;) {
            const nl = text.indexOf("\n", from);
            const end = nl < 0 ? text.length : nl;
            const textLine = text.slice(from, end);
            // A character is at most 3 UTF-8 bytes per UTF-16 unit: only long lines need counting.
            if (textLine.length * 3 > MAX_LINE_BYTES && Buffer.byteLength(textLine) > MAX_LINE_BYTES) {
                this.tally.tooLong(this.line, Buffer.byteLength(textLine), Buffer.from(textLine.slice(0, RAW_PREVIEW_CHARS)));
            } else if ((textLine.length > 0 && !isWhitespace(textLine.charCodeAt(0))) || textLine.trim() !== "") {
                this.tally.text(this.line, textLine);
            }
            this.line++;
            if (nl < 0) return;
            from = nl + 1;
        }
    }

    private finish(whole?: Buffer): void {
        if (this.piece.tooLong) {
            this.piece.deliver(this.tally, this.line);
        } else {
            let data = whole ?? this.piece.data();
            if (data.length > 0 && data[data.length - 1] === CR) data = data.subarray(0, data.length - 1);
            if (!isBlank(data)) this.tally.bytes(this.line, data);
            this.piece.reset();
        }
        this.line++;
    }

    interrupt(): void {
        // Same line number for what follows the padding: only newlines advance it.
        if (!this.piece.empty) this.piece.deliver(this.tally, this.line);
    }

    end(): EndState {
        if (!this.piece.empty) this.finish();
        return { complete: true };
    }

    pending(): Pending {
        return { line: this.line, text: this.piece.preview() };
    }
}

type ArrayState = "open" | "elements" | "closed" | "garbage";

class ArraySplitter implements Splitter {
    private readonly piece = new Piece();
    private state: ArrayState = "open";
    private element = 1;
    private depth = 0;
    private inString = false;
    private escaped = false;
    private garbage = "";

    constructor(private readonly tally: Tally) {}

    push(chunk: Buffer): void {
        let start = 0;
        for (let i = 0; i < chunk.length; i++) {
            const b = chunk[i];
            if (this.state === "elements") {
                if (this.inString) {
                    if (this.escaped) this.escaped = false;
                    else if (b === BACKSLASH) this.escaped = true;
                    else if (b === QUOTE) this.inString = false;
                } else if (b === QUOTE) {
                    this.inString = true;
                } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
                    this.depth++;
                } else if ((b === CLOSE_BRACE || b === CLOSE_BRACKET) && this.depth > 0) {
                    this.depth--;
                } else if (b === COMMA && this.depth === 0) {
                    this.piece.append(chunk, start, i);
                    this.finishElement(false);
                    start = i + 1;
                } else if (b === CLOSE_BRACKET) {
                    this.piece.append(chunk, start, i);
                    this.finishElement(true);
                    this.state = "closed";
                }
            } else if (this.state === "open") {
                if (b === OPEN_BRACKET) {
                    this.state = "elements";
                    start = i + 1;
                }
            } else if (this.state === "closed") {
                if (!isWhitespace(b)) {
                    this.state = "garbage";
                    this.garbage = chunk.subarray(i, i + RAW_PREVIEW_CHARS).toString("utf8");
                }
            } else {
                return; // garbage: its preview is taken, the rest is not kept
            }
        }
        if (this.state === "elements") this.piece.append(chunk, start, chunk.length);
    }

    interrupt(): void {
        // The element in progress continues after the padding; an unclosed array is reported at the end.
    }

    private finishElement(last: boolean): void {
        if (!this.piece.tooLong && isBlank(this.piece.data())) {
            // "[]" is an empty array; any other blank element is a stray comma.
            if (!(last && this.element === 1)) {
                this.tally.reject(this.element, "malformed-json", "malformed JSON: empty array element (stray comma)", "");
                this.element++;
            }
            this.piece.reset();
            return;
        }
        this.piece.deliver(this.tally, this.element);
        this.element++;
    }

    end(): EndState {
        const remainder = this.state === "elements"
            ? { kind: "unclosed-array" as const, reason: "input ends inside the JSON array (no closing ])", raw: this.piece.preview() }
            : this.state === "garbage"
                ? { kind: "trailing-garbage" as const, reason: "content after the closing ] of the JSON array", raw: this.garbage }
                : undefined;
        if (!remainder) return { complete: true };
        this.tally.reject(this.element, remainder.kind, remainder.reason, remainder.raw);
        return { complete: false, error: { kind: remainder.kind, reason: remainder.reason } };
    }

    pending(): Pending {
        return { line: this.element, text: this.state === "garbage" ? this.garbage : this.piece.preview() };
    }
}

/**
 * Sniffs the format from the first non-whitespace byte (after an optional UTF-8 BOM), then hands
 * every byte to the NDJSON or JSON-array splitter. Leading whitespace is dropped but its newlines
 * still count for NDJSON line numbers. Two whole-chunk checks sit outside the per-reading loop:
 * a UTF-16 byte order mark refuses the whole input, and runs of NUL bytes (a chunk without any
 * costs one memchr) become one quarantine entry each instead of corrupting the readings around them.
 */
export class InputSplitter {
    private splitter: Splitter | undefined;
    private lead: Buffer = Buffer.alloc(0);
    private newlines = 0;
    private atStart = true;
    private refusal: { readonly kind: ReasonKind; readonly reason: string } | undefined;
    private nulBytes = 0;

    constructor(private readonly tally: Tally) {}

    get format(): "ndjson" | "json-array" | "empty" {
        if (this.splitter instanceof ArraySplitter) return "json-array";
        return this.splitter ? "ndjson" : "empty";
    }

    push(chunk: Buffer): void {
        if (this.refusal) return;
        let data = chunk;
        if (this.atStart) {
            data = Buffer.concat([this.lead, chunk]);
            const utf16 = UTF16_BOMS.find((b) => data[0] === b.bytes[0] && (data.length < 2 || data[1] === b.bytes[1]));
            if (utf16 && data.length < 2) {
                this.lead = data; // maybe a UTF-16 BOM split across chunks
                return;
            }
            if (utf16) {
                this.refuse(utf16.name, data);
                return;
            }
            const matched = bomPrefix(data);
            if (matched === data.length && matched < BOM.length) {
                this.lead = data; // maybe the start of a BOM split across chunks
                return;
            }
            if (matched === BOM.length) data = data.subarray(BOM.length);
            this.atStart = false;
            this.lead = Buffer.alloc(0);
        }
        if (this.nulBytes === 0 && data.indexOf(NUL) < 0) {
            this.route(data);
            return;
        }
        let i = 0;
        while (i < data.length) {
            if (this.nulBytes > 0) {
                let j = i;
                while (j < data.length && data[j] === NUL) j++;
                this.nulBytes += j - i;
                i = j;
                if (i < data.length) this.endPadding();
            } else {
                const nul = data.indexOf(NUL, i);
                const stop = nul < 0 ? data.length : nul;
                if (stop > i) this.route(data.subarray(i, stop));
                if (nul < 0) return;
                this.splitter?.interrupt();
                this.nulBytes = 1;
                i = nul + 1;
            }
        }
    }

    private refuse(encoding: string, head: Buffer): void {
        this.refusal = { kind: "wrong-encoding", reason: `file is ${encoding} (by its byte order mark), not UTF-8: re-save it as UTF-8 and convert again` };
        const preview = head.subarray(2, 2 + 2 * RAW_PREVIEW_CHARS);
        const even = preview.subarray(0, preview.length - (preview.length % 2));
        const text = encoding === "UTF-16LE" ? even.toString("utf16le") : Buffer.from(even).swap16().toString("utf16le");
        this.tally.reject(1, this.refusal.kind, this.refusal.reason, text.slice(0, RAW_PREVIEW_CHARS));
    }

    private endPadding(): void {
        const line = this.splitter ? this.splitter.pending().line : this.newlines + 1;
        this.tally.reject(line, "nul-padding", `${this.nulBytes} NUL bytes: space allocated but never written (power loss while recording?); readings cut short by it are quarantined beside this entry`, "");
        this.nulBytes = 0;
    }

    private route(data: Buffer): void {
        if (this.splitter) {
            this.splitter.push(data);
            return;
        }
        let i = 0;
        while (i < data.length && isWhitespace(data[i])) {
            if (data[i] === NEWLINE) this.newlines++;
            i++;
        }
        if (i === data.length) return;
        this.splitter = data[i] === OPEN_BRACKET ? new ArraySplitter(this.tally) : new LineSplitter(this.tally, this.newlines + 1);
        this.splitter.push(data.subarray(i));
    }

    /** Clean end of input. An input with no content ends as format "empty". */
    end(): EndState {
        if (this.refusal) return { complete: false, error: this.refusal };
        if (this.nulBytes > 0) this.endPadding();
        if (!this.splitter && this.lead.length > 0) {
            // A lone partial BOM prefix is content, not whitespace.
            this.splitter = new LineSplitter(this.tally, 1);
            this.splitter.push(this.lead);
        }
        return this.splitter ? this.splitter.end() : { complete: true };
    }

    pending(): Pending {
        if (this.nulBytes > 0) this.endPadding();
        return this.splitter ? this.splitter.pending() : { line: this.newlines + 1, text: "" };
    }
}
