/**
 * The bookkeeping shared by convertRecord and convertStream: turns one line (or array element)
 * into either a row or a quarantine entry, and keeps the counts that prove conservation
 * (rowsIn = rowsOut + rowsQuarantined) plus the manifest's summary fields.
 */
import { isUtf8 } from "buffer";
import { Reading } from "./contract";
import { MAX_LINE_BYTES, RAW_PREVIEW_CHARS } from "./limits";
import { QuarantinedReading, ReasonKind } from "./reasons";
import { DuplicateTracker } from "./seq-ranges";
import { validateReading } from "./validate";

/**
 * Whether a valid reading may be converted: undefined admits it, a refusal quarantines it
 * (identity-mismatch, or duplicate for a replayed record). Asked before duplicate tracking, so
 * a refused reading cannot shadow the genuine one with the same (detector_id, seq).
 */
export type IdentityGate = (reading: Reading) => { readonly kind: ReasonKind; readonly reason: string } | undefined;

/** slice returns shorter text whole, so no length check is needed. */
function preview(text: string): string {
    return text.slice(0, RAW_PREVIEW_CHARS);
}

function megabytes(bytes: number): string {
    return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
}

export class Tally {
    rowsIn = 0;
    rowsOut = 0;
    rowsQuarantined = 0;
    readonly reasons: Partial<Record<ReasonKind, number>> = {};
    firstTimestamp: string | null = null;
    lastTimestamp: string | null = null;
    private readonly seen = new DuplicateTracker();
    /** Rows and quarantine entries not yet taken by the caller. */
    rows: Reading[] = [];
    quarantined: QuarantinedReading[] = [];

    constructor(private readonly gate?: IdentityGate) {}

    detectors(): string[] {
        return this.seen.detectors();
    }

    /** A complete line or element of raw bytes (without its terminator). */
    bytes(line: number, data: Buffer): void {
        if (!isUtf8(data)) {
            this.reject(line, "invalid-utf8", "line is not valid UTF-8", data.toString("utf8"));
            return;
        }
        this.text(line, data.toString("utf8"));
    }

    text(line: number, text: string): void {
        let value: unknown;
        try {
            value = JSON.parse(text);
        } catch (err) {
            this.reject(line, "malformed-json", `malformed JSON: ${(err as Error).message}`, text);
            return;
        }
        this.value(line, value, text);
    }

    value(line: number, value: unknown, text: string): void {
        const result = validateReading(value);
        if (!result.ok) {
            this.reject(line, result.kind, result.reason, text);
            return;
        }
        const reading = result.reading;
        const refused = this.gate?.(reading);
        if (refused !== undefined) {
            this.reject(line, refused.kind, refused.reason, text);
            return;
        }
        if (!this.seen.add(reading.detector_id, reading.seq)) {
            this.reject(line, "duplicate", `duplicate reading: detector_id ${reading.detector_id} seq ${reading.seq} already seen in this input`, text);
            return;
        }
        this.rowsIn++;
        this.rowsOut++;
        this.rows.push(reading);
        this.span(reading.timestamp);
    }

    /** Timestamps of one width compare as strings; mixed precisions ("...05Z", "...05.5Z") by time. */
    private span(timestamp: string): void {
        const first = this.firstTimestamp;
        const last = this.lastTimestamp;
        if (first === null || last === null) {
            this.firstTimestamp = this.lastTimestamp = timestamp;
            return;
        }
        if (first.length === timestamp.length ? timestamp < first : Date.parse(timestamp) < Date.parse(first)) this.firstTimestamp = timestamp;
        if (last.length === timestamp.length ? timestamp > last : Date.parse(timestamp) > Date.parse(last)) this.lastTimestamp = timestamp;
    }

    tooLong(line: number, bytes: number, head: Buffer): void {
        this.reject(line, "line-too-long", `line of ${megabytes(bytes)} exceeds the ${megabytes(MAX_LINE_BYTES)} limit`, head.toString("utf8"));
    }

    reject(line: number, kind: ReasonKind, reason: string, raw: string): void {
        this.rowsIn++;
        this.rowsQuarantined++;
        this.reasons[kind] = (this.reasons[kind] ?? 0) + 1;
        this.quarantined.push({ line, kind, reason, raw: preview(raw) });
    }

    takeRows(): Reading[] {
        const rows = this.rows;
        this.rows = [];
        return rows;
    }

    takeQuarantined(): QuarantinedReading[] {
        const entries = this.quarantined;
        this.quarantined = [];
        return entries;
    }
}
