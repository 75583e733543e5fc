/**
 * Splits feature lines into text/csv request bodies that never exceed the endpoint's payload
 * limit: sizes are counted in UTF-8 bytes, one "\n" per line, and rows per chunk are also capped
 * so the response (one score per line) stays under the same limit.
 */
import { MAX_SCORE_LINE_BYTES } from "./contract";
import { inferenceError } from "./errors";

export class Chunker<T> {
    private items: T[] = [];
    private lines: string[] = [];
    private bytes = 0;
    private readonly maxRows: number;

    constructor(private readonly limitBytes: number) {
        this.maxRows = Math.floor(limitBytes / MAX_SCORE_LINE_BYTES);
    }

    /** Adds a row; returns the chunk it completed, if adding it had to start a new one. */
    add(item: T, line: string): Chunk<T> | undefined {
        const size = Buffer.byteLength(line, "utf8") + 1;
        if (size > this.limitBytes) throw inferenceError("OversizeRowError", `a single row of ${size} bytes exceeds the ${this.limitBytes}-byte payload limit`);
        const full = this.bytes + size > this.limitBytes || this.items.length >= this.maxRows;
        const done = full ? this.flush() : undefined;
        this.items.push(item);
        this.lines.push(line);
        this.bytes += size;
        return done;
    }

    /** The rows gathered so far as a chunk (undefined when empty), and a fresh start. */
    flush(): Chunk<T> | undefined {
        if (this.items.length === 0) return undefined;
        const chunk = { items: this.items, body: this.lines.join("\n") + "\n", bytes: this.bytes };
        this.items = [];
        this.lines = [];
        this.bytes = 0;
        return chunk;
    }
}

export interface Chunk<T> {
    readonly items: T[];
    /** text/csv: one line per item, each ending in "\n". */
    readonly body: string;
    /** Byte length of body. */
    readonly bytes: number;
}
