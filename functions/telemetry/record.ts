/**
 * convertRecord: one Kinesis/Firehose record, holding one JSON reading (possibly pretty-printed
 * over several lines), a JSON array of readings, or newline-delimited readings.
 */
import { isUtf8 } from "buffer";
import { toCsvRow } from "./csv";
import { MAX_LINE_BYTES } from "./limits";
import { QuarantinedReading } from "./reasons";
import { InputSplitter } from "./split";
import { IdentityGate, Tally } from "./tally";

export interface RecordConversion {
    /** CSV rows (no header), each without a line terminator. */
    readonly rows: string[];
    readonly quarantined: QuarantinedReading[];
    /** Readings found in the record: always rows.length + quarantined.length (0 for a blank record). */
    readonly readingsIn: number;
}

/** A single object spread over several lines parses as a whole; NDJSON does not. */
function singleObject(data: Buffer): { value: unknown; text: string } | undefined {
    if (data.length > MAX_LINE_BYTES || !isUtf8(data)) return undefined;
    const text = data.toString("utf8");
    const trimmed = text.trim();
    if (!trimmed.startsWith("{") || !trimmed.includes("\n")) return undefined;
    try {
        // JSON text that starts with "{" and parses is an object.
        return { value: JSON.parse(trimmed) as unknown, text: trimmed };
    } catch {
        return undefined;
    }
}

/** `gate`, when given, decides which valid readings the record's sender may have sent. */
export function convertRecord(text: string | Buffer, gate?: IdentityGate): RecordConversion {
    const data = typeof text === "string" ? Buffer.from(text) : text;
    const tally = new Tally(gate);
    const single = singleObject(data);
    if (single) {
        tally.value(1, single.value, single.text);
    } else {
        const splitter = new InputSplitter(tally);
        splitter.push(data);
        splitter.end();
    }
    return { rows: tally.takeRows().map(toCsvRow), quarantined: tally.takeQuarantined(), readingsIn: tally.rowsIn };
}
