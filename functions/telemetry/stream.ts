/**
 * convertStream: one batch file (JSON array or NDJSON, optionally gzip) to curated CSV and
 * quarantine NDJSON, with memory bounded independently of file size: bytes flow through in
 * chunks with backpressure on every stream, only one line is assembled at a time, and duplicate
 * detection keeps seq runs, not keys. Bad input never throws: it is quarantined with a reason;
 * a whole-input failure (truncated gzip, read error) keeps what was converted and quarantines
 * the unreadable remainder as one entry. Only a failure of the output streams rejects.
 */
import { createHash } from "crypto";
import { once } from "events";
import { PassThrough, Transform, Writable } from "stream";
import { createGunzip } from "zlib";
import { CSV_HEADER, toCsvRows } from "./csv";
import { CSV_ROW_BATCH } from "./limits";
import { QuarantinedReading, ReasonKind } from "./reasons";
import { EndState, InputSplitter } from "./split";
import { IdentityGate, Tally } from "./tally";

export interface Manifest {
    readonly sourceKey: string;
    /** Hex SHA-256 of the input bytes as given (compressed if gzip). */
    readonly sha256: string;
    readonly bytesIn: number;
    readonly gzip: boolean;
    readonly format: "ndjson" | "json-array" | "empty";
    /** Always rowsOut + rowsQuarantined. */
    readonly rowsIn: number;
    readonly rowsOut: number;
    readonly rowsQuarantined: number;
    readonly reasons: Partial<Record<ReasonKind, number>>;
    readonly firstTimestamp: string | null;
    readonly lastTimestamp: string | null;
    readonly detectors: string[];
    /** false when part of the input was quarantined as one opaque remainder (see error). */
    readonly complete: boolean;
    /** Whole-input problem, if any: an empty file, or the failure behind complete: false. */
    readonly error?: { readonly kind: ReasonKind; readonly reason: string };
}

export interface ConvertStreamArgs {
    readonly input: NodeJS.ReadableStream;
    readonly sourceKey: string;
    /** Receives the CSV text (header + rows, uncompressed); ended when conversion is done. */
    readonly curated: NodeJS.WritableStream;
    /** Receives one JSON object per line ({ line, kind, reason, raw }); ended when done. */
    readonly quarantine: NodeJS.WritableStream;
    /** Which valid readings the uploader may deliver (batch: detectors deployed at its site); all when absent. */
    readonly gate?: IdentityGate;
    /** Called once per decoded chunk (never per reading) with the input bytes read and readings seen so far. */
    readonly onProgress?: (progress: Progress) => void;
}

export interface Progress {
    readonly bytesIn: number;
    readonly rowsIn: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** An output that already failed would never emit "drain" again: fail now instead of waiting. */
function assertWritable(stream: NodeJS.WritableStream): void {
    const w = stream as Writable;
    if (w.destroyed) throw w.errored ?? new Error("output stream was closed before conversion finished");
}

/** Writes respecting backpressure; rejects if the stream fails. */
async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
    if (text.length === 0) return;
    assertWritable(stream);
    if (!stream.write(text)) await once(stream as NodeJS.EventEmitter, "drain");
}

async function end(stream: NodeJS.WritableStream): Promise<void> {
    assertWritable(stream);
    await new Promise<void>((resolve, reject) => {
        stream.once("error", reject);
        (stream as Writable).end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
}

function quarantineLines(entries: readonly QuarantinedReading[]): string {
    return entries.map((e) => JSON.stringify(e) + "\n").join("");
}

function describe(err: unknown, gzip: boolean): { kind: ReasonKind; reason: string } {
    const e = err as NodeJS.ErrnoException;
    const message = e instanceof Error ? e.message : String(err);
    if (!gzip) return { kind: "read-error", reason: `input could not be read to the end: ${message}` };
    if (e.code === "Z_BUF_ERROR") return { kind: "truncated-gzip", reason: "gzip data ends before the end of the compressed stream (truncated file?)" };
    return { kind: "corrupt-gzip", reason: `gzip data is corrupt: ${message}` };
}

/**
 * Reads the input to its end (hashing every byte, even after a decoding failure, so the
 * checksum covers the whole object) and feeds it, gunzipped if it starts with the gzip magic
 * bytes, into `decoded`. Failures end `decoded` cleanly so that everything decoded before the
 * failure is still converted; `failure` then holds the error.
 */
class Source {
    readonly decoded = new PassThrough();
    readonly hash = createHash("sha256");
    bytesIn = 0;
    gzip = false;
    failure: { error: unknown; gzip: boolean } | undefined;
    private stage: Transform = this.decoded;
    private readonly stopped: Promise<void>;
    private stop!: () => void;
    readonly done: Promise<void>;

    constructor(input: NodeJS.ReadableStream) {
        this.stopped = new Promise((resolve) => (this.stop = resolve));
        this.done = this.pump(input);
    }

    private fail(error: unknown, gzip: boolean): void {
        if (this.failure) return;
        this.failure = { error, gzip };
        this.stop();
        if (this.stage !== this.decoded) {
            this.stage.unpipe(this.decoded);
            this.stage.destroy();
        }
        this.decoded.end();
    }

    private begin(head: Buffer): void {
        this.gzip = head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
        if (!this.gzip) return;
        this.stage = createGunzip();
        this.stage.on("error", (err) => this.fail(err, true));
        this.stage.pipe(this.decoded);
    }

    private async feed(chunk: Buffer): Promise<void> {
        if (this.failure || chunk.length === 0) return;
        if (!this.stage.write(chunk)) await Promise.race([once(this.stage, "drain").catch(() => undefined), this.stopped]);
    }

    private async pump(input: NodeJS.ReadableStream): Promise<void> {
        let head: Buffer | undefined = Buffer.alloc(0);
        try {
            for await (const raw of input as AsyncIterable<Buffer | string>) {
                const chunk = typeof raw === "string" ? Buffer.from(raw) : raw;
                this.hash.update(chunk);
                this.bytesIn += chunk.length;
                if (head === undefined) {
                    await this.feed(chunk);
                } else {
                    head = Buffer.concat([head, chunk]);
                    if (head.length < GZIP_MAGIC.length) continue;
                    this.begin(head);
                    const first = head;
                    head = undefined;
                    await this.feed(first);
                }
            }
            if (head !== undefined) {
                this.begin(head);
                await this.feed(head);
            }
            if (!this.failure) this.stage.end();
        } catch (err) {
            this.fail(err, false);
        }
    }
}

/**
 * The outputs belong to the conversion: an error either emits, also while the converter waits for
 * input rather than for "drain" (an upload failing under it), stops the conversion with that error
 * instead of going unhandled. The listeners stay: a caller that destroys an output after the
 * conversion has ended (ingest.ts on a failed upload) must not crash the process either. The input
 * side is destroyed without an error, which would emit where nothing listens once it has ended.
 */
function watchOutputs(args: ConvertStreamArgs, source: Source): { error?: Error } {
    const failure: { error?: Error } = {};
    const stop = (err: Error): void => {
        failure.error ??= err;
        source.decoded.destroy();
    };
    args.curated.on("error", stop);
    args.quarantine.on("error", stop);
    return failure;
}

export async function convertStream(args: ConvertStreamArgs): Promise<Manifest> {
    const tally = new Tally(args.gate);
    const splitter = new InputSplitter(tally);
    const source = new Source(args.input);
    const outputs = watchOutputs(args, source);
    const flush = async (all: boolean): Promise<void> => {
        if (all || tally.rows.length >= CSV_ROW_BATCH) await write(args.curated, toCsvRows(tally.takeRows()));
        // write() skips empty text, so no entries means no write.
        await write(args.quarantine, quarantineLines(tally.takeQuarantined()));
    };

    let state: EndState;
    try {
        await write(args.curated, CSV_HEADER + "\n");
        for await (const chunk of source.decoded as AsyncIterable<Buffer>) {
            splitter.push(chunk);
            args.onProgress?.({ bytesIn: source.bytesIn, rowsIn: tally.rowsIn });
            await flush(false);
        }
        await source.done;
        if (source.failure) {
            const error = describe(source.failure.error, source.failure.gzip);
            const pending = splitter.pending();
            tally.reject(pending.line, error.kind, error.reason, pending.text);
            state = { complete: false, error };
        } else {
            state = splitter.end();
        }
        await flush(true);
        await Promise.all([end(args.curated), end(args.quarantine)]);
    } catch (err) {
        source.decoded.destroy();
        (args.input as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        throw outputs.error ?? err;
    }

    const format = splitter.format;
    const error = state.error ?? (format === "empty"
        ? { kind: "empty-file" as const, reason: source.bytesIn === 0 ? "file is empty" : "file holds no readings, only whitespace" }
        : undefined);
    return {
        sourceKey: args.sourceKey,
        sha256: source.hash.digest("hex"),
        bytesIn: source.bytesIn,
        gzip: source.gzip,
        format,
        rowsIn: tally.rowsIn,
        rowsOut: tally.rowsOut,
        rowsQuarantined: tally.rowsQuarantined,
        reasons: { ...tally.reasons },
        firstTimestamp: tally.firstTimestamp,
        lastTimestamp: tally.lastTimestamp,
        detectors: tally.detectors(),
        complete: state.complete,
        ...(error ? { error } : {}),
    };
}
