/** Readings and Firehose events as a detector fleet and Firehose would produce them. */
import { FirehoseEvent } from "../../../functions/realtime/transform";
import { device, signRecord, SignOptions } from "./devices";

export const STREAM_ARN = "arn:aws:kinesis:ap-southeast-2:123456789012:stream/telemetry";
const BASE_MS = Date.UTC(2025, 5, 1, 10, 0, 0);

/** A reading inside every range of schema/telemetry.schema.json. */
export function reading(detector: number, seq: number): Record<string, unknown> {
    return {
        detector_id: `MD-${String(detector).padStart(4, "0")}`,
        timestamp: new Date(BASE_MS + seq * 1000).toISOString(),
        seq,
        muon_count: 40 + (seq % 17),
        coincidence_count: seq % 5,
        live_time_s: 0.98,
        zenith_deg: 12.5,
        azimuth_deg: 187.25,
        pressure_hpa: 1012.6,
        temperature_c: 21.4,
        humidity_pct: 55,
        sipm_bias_v: 54.2,
        battery_v: 12.7,
        latitude: -37.81,
        longitude: 144.96,
        depth_m: 120,
    };
}

/** One Kinesis record's data: readings batched as NDJSON. */
export function ndjson(values: unknown[]): string {
    return values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join("\n");
}

/** A record exactly as sent: its bytes and the partition key (firmware: its thing name). */
export interface SentRecord {
    readonly data: Buffer;
    readonly partitionKey: string;
}

/** The serial of the first detector_id in the text, else MD-0001: who plausibly sends it. */
function senderOf(text: string): string {
    return /"detector_id":\s*"(MD-\d{4})"/.exec(text)?.[1] ?? "MD-0001";
}

/** A record signed by `serial`'s device (default: the first reading's detector) at `arrivalMs`. */
export function sent(payload: string | Buffer, arrivalMs: number, serial?: string, options: SignOptions = {}): SentRecord {
    const d = device(serial ?? senderOf(Buffer.from(payload).toString("latin1", 0, 4096)));
    return { data: signRecord(d, payload, options.iatMs ?? arrivalMs, options), partitionKey: d.thingName };
}

export const arrivalOf = (index: number): number => BASE_MS + index * 1000;

/**
 * A Firehose transformation event over Kinesis records, one second apart. Plain payloads are
 * signed by their sender's device as they would be on the wire (`sign: false` keeps them as
 * given, unsigned); SentRecords go as they are.
 */
export function firehoseEvent(records: (string | Buffer | SentRecord)[], invocationId = "inv-1", options: { sign?: boolean } = {}): FirehoseEvent {
    const wire = records.map((r, i): SentRecord => {
        if (typeof r === "object" && !Buffer.isBuffer(r)) return r;
        return options.sign === false ? { data: Buffer.from(r), partitionKey: "MD-0001" } : sent(r, arrivalOf(i));
    });
    return {
        invocationId,
        deliveryStreamArn: "arn:aws:firehose:ap-southeast-2:123456789012:deliverystream/telemetry",
        sourceKinesisStreamArn: STREAM_ARN,
        region: "ap-southeast-2",
        records: wire.map((r, i) => ({
            recordId: `49546986683135544286507457936321625675700192471156785154-${i}`,
            approximateArrivalTimestamp: BASE_MS + i * 1000,
            data: r.data.toString("base64"),
            kinesisRecordMetadata: {
                shardId: "shardId-000000000000",
                partitionKey: r.partitionKey,
                approximateArrivalTimestamp: BASE_MS + i * 1000,
                sequenceNumber: `4954698668313554428650745793632162567570019247115678${String(i).padStart(4, "0")}`,
                subsequenceNumber: "0",
            },
        })),
    };
}

export function decode(data: string): string {
    return Buffer.from(data, "base64").toString("utf8");
}

/**
 * A minute of one detector's readings with realistic variation (counts and sensor noise at
 * their reported precision, deterministic): what the documented sizes are measured on.
 */
export function realisticMinute(detector: number, startSeq = 0): string[] {
    let seed = 7 + startSeq;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    return Array.from({ length: 60 }, (_, i) => JSON.stringify({
        ...reading(detector, startSeq + i),
        muon_count: 30 + Math.floor(rnd() * 25), coincidence_count: Math.floor(rnd() * 6),
        live_time_s: +(0.95 + rnd() * 0.05).toFixed(3), pressure_hpa: +(1012 + rnd()).toFixed(2), temperature_c: +(21 + rnd()).toFixed(2),
        humidity_pct: +(55 + rnd() * 2).toFixed(1), sipm_bias_v: +(54.2 + rnd() * 0.01).toFixed(3), battery_v: +(12.7 - rnd() * 0.05).toFixed(3),
    }));
}
