/**
 * Firehose data transformation: each Kinesis record (a signed batch of newline-delimited
 * readings, optionally gzip: functions/realtime/envelope.ts) becomes CSV rows through the same
 * converter as the batch path, so both paths agree on what a valid reading is. Only readings
 * whose detector_id is the device that signed the record become rows; the others are
 * quarantined as identity-mismatch (functions/realtime/identity.ts).
 *
 * Where things go (schema/telemetry.md, "Real-time CSV"):
 * - Good rows: the record's `Ok` data, headerless CSV lines each ending in "\n". Firehose
 *   concatenates records into one object, so a per-record header would repeat mid-file; the
 *   columns are CSV_HEADER's and readers skip header lines wherever they appear.
 * - Bad readings: returned here as quarantine lines with their reasons; the handler writes them
 *   to quarantine/realtime/ itself. Firehose keeps one output per record, so marking a mixed
 *   record ProcessingFailed would push its good readings out of curated/, and mixing marked
 *   lines into the CSV would make every reader filter them. A record with no good reading
 *   answers `Ok` with empty data: its readings are all in quarantine.
 * - Records that would push the response past Lambda's limit answer `ProcessingFailed`;
 *   Firehose writes them untouched under the error prefix (processing-failed/) for replay, and
 *   their bad readings are not quarantined here, so a replay does not duplicate them.
 */
import { QuarantinedReading } from "../telemetry/reasons";
import { convertRecord, RecordConversion } from "../telemetry/record";
import { openRecord } from "./envelope";
import { authenticate, gateFor, KeyLookup } from "./identity";

/** Lambda caps a synchronous response at 6 MB; the decimal reading is the stricter one. */
export const RESPONSE_LIMIT_BYTES = 6_000_000;

export interface KinesisRecordMetadata {
    readonly shardId: string;
    readonly partitionKey: string;
    readonly approximateArrivalTimestamp: number;
    readonly sequenceNumber: string;
    readonly subsequenceNumber?: string;
}

export interface FirehoseRecord {
    readonly recordId: string;
    readonly approximateArrivalTimestamp: number;
    /** Base64 of the Kinesis record's data. */
    readonly data: string;
    readonly kinesisRecordMetadata?: KinesisRecordMetadata;
}

export interface FirehoseEvent {
    readonly invocationId: string;
    readonly deliveryStreamArn?: string;
    readonly sourceKinesisStreamArn?: string;
    readonly region?: string;
    readonly records: readonly FirehoseRecord[];
}

export type RecordResult = "Ok" | "ProcessingFailed";

export interface FirehoseResponseRecord {
    readonly recordId: string;
    readonly result: RecordResult;
    /** Base64 CSV rows for Ok; empty for ProcessingFailed (Firehose keeps the original). */
    readonly data: string;
}

export interface FirehoseResponse {
    readonly records: FirehoseResponseRecord[];
}

/** One bad reading (line, kind, reason, raw preview), traceable to its Kinesis record and the raw/ backup. */
export interface QuarantineLine extends QuarantinedReading {
    readonly shardId?: string;
    readonly sequenceNumber?: string;
    readonly partitionKey?: string;
    /** When Kinesis received the record (ISO 8601). */
    readonly arrival: string;
}

export interface TransformStats {
    readonly records: number;
    readonly readingsIn: number;
    readonly rowsOut: number;
    readonly quarantined: number;
    /** Records answered ProcessingFailed and the readings they hold (kept by Firehose). */
    readonly failedRecords: number;
    readonly readingsFailed: number;
}

export interface TransformOutcome {
    readonly response: FirehoseResponse;
    readonly quarantine: QuarantineLine[];
    /** Oldest arrival among records that produced quarantine lines (names their object). */
    readonly oldestQuarantinedArrival?: number;
    readonly stats: TransformStats;
}

export interface TransformOptions {
    /** The registry's active device certificates for this batch's things (the handler fetches them). */
    readonly keys: KeyLookup;
    readonly maxResponseBytes?: number;
    readonly convert?: typeof convertRecord;
}

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

function failed(recordId: string): FirehoseResponseRecord {
    return { recordId, result: "ProcessingFailed", data: "" };
}

/**
 * One record as sent: opened (inflated, signature split off), authenticated, converted with
 * the sender's gate. A record that cannot be opened (a gzip bomb, corrupt gzip) counts as one
 * quarantined entry, as an unreadable batch-file remainder does.
 */
function convertSent(sent: Buffer, record: FirehoseRecord, keys: KeyLookup, signatures: Set<string>, convert: typeof convertRecord): RecordConversion {
    const opened = openRecord(sent);
    if (!opened.ok) {
        return { rows: [], quarantined: [{ line: 1, kind: opened.kind, reason: opened.reason, raw: "" }], readingsIn: 1 };
    }
    const auth = authenticate({
        signature: opened.signature,
        payload: opened.payload,
        malformedSignature: opened.malformedSignature,
        partitionKey: record.kinesisRecordMetadata?.partitionKey,
        arrivalMs: record.approximateArrivalTimestamp,
    }, keys);
    let gate = gateFor(auth);
    const signature = opened.signature?.value.toString("base64");
    if (signature !== undefined && !("refusal" in auth)) {
        // The same signed record twice in a batch is a retry or a replay: its readings count once.
        if (signatures.has(signature)) gate = gateFor({ kind: "duplicate", refusal: "record already delivered in this batch (same signature)" });
        signatures.add(signature);
    }
    return convert(opened.payload, gate);
}

/**
 * Transforms one Firehose batch. Pure: the handler stores the quarantine lines.
 *
 * The response is measured while it is built. Space for a ProcessingFailed answer to every
 * later record is reserved first, so each record is either answered Ok in full or failed, and
 * every recordId is answered exactly once. That reservation always fits: a failed answer is
 * shorter than the record's own entry in the request, which Lambda also caps at 6 MB.
 */
export function transformBatch(event: FirehoseEvent, options: TransformOptions): TransformOutcome {
    const limit = options.maxResponseBytes ?? RESPONSE_LIMIT_BYTES;
    const convert = options.convert ?? convertRecord;
    const records: FirehoseResponseRecord[] = [];
    const quarantine: QuarantineLine[] = [];
    let oldestQuarantinedArrival: number | undefined;
    const failSizes = event.records.map((r) => jsonBytes(failed(r.recordId)) + 1);
    let reserved = failSizes.reduce((a, b) => a + b, 0);
    let used = jsonBytes({ records: [] });
    let readingsIn = 0, rowsOut = 0, readingsFailed = 0;
    // Created per batch at run time (a module-level Set would not survive serialization).
    const signatures = new Set<string>();

    event.records.forEach((record, index) => {
        reserved -= failSizes[index];
        let converted: RecordConversion;
        try {
            converted = convertSent(Buffer.from(record.data, "base64"), record, options.keys, signatures, convert);
        } catch {
            // A converter fault must not fail the batch: Firehose keeps this record for replay.
            records.push(failed(record.recordId));
            used += failSizes[index];
            return;
        }
        readingsIn += converted.readingsIn;
        const csv = converted.rows.map((row) => `${row}\n`).join("");
        const answer: FirehoseResponseRecord = { recordId: record.recordId, result: "Ok", data: Buffer.from(csv).toString("base64") };
        const size = jsonBytes(answer) + 1;
        if (used + size + reserved > limit) {
            records.push(failed(record.recordId));
            used += failSizes[index];
            readingsFailed += converted.readingsIn;
            return;
        }
        records.push(answer);
        used += size;
        rowsOut += converted.rows.length;
        if (converted.quarantined.length === 0) return;
        const meta = record.kinesisRecordMetadata;
        const arrival = new Date(record.approximateArrivalTimestamp).toISOString();
        for (const q of converted.quarantined) {
            quarantine.push({ shardId: meta?.shardId, sequenceNumber: meta?.sequenceNumber, partitionKey: meta?.partitionKey, arrival, ...q });
        }
        oldestQuarantinedArrival = Math.min(oldestQuarantinedArrival ?? Infinity, record.approximateArrivalTimestamp);
    });

    return {
        response: { records },
        quarantine,
        oldestQuarantinedArrival,
        stats: {
            records: event.records.length,
            readingsIn,
            rowsOut,
            quarantined: quarantine.length,
            failedRecords: records.filter((r) => r.result === "ProcessingFailed").length,
            readingsFailed,
        },
    };
}
