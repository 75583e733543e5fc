/**
 * The Firehose transform Lambda's logic: transform the batch, store its bad readings under
 * quarantine/realtime/, answer Firehose.
 *
 * The quarantine object is written before Firehose gets its answer. If the write fails the
 * invocation fails, Firehose retries it (3 times by default) and then delivers the whole batch
 * under processing-failed/: a bad reading is never dropped while its record reports Ok. The
 * key is a hash of the content, so a retried batch overwrites its object instead of adding one.
 */
import { createHash } from "crypto";
import { gzipSync } from "zlib";
import { PREFIX } from "../layout";
import { Keyring } from "./keyring";
import { FirehoseEvent, FirehoseResponse, TransformOptions, TransformOutcome, transformBatch } from "./transform";

export const QUARANTINE_PREFIX = `${PREFIX.quarantine}realtime/`;

export interface QuarantineSink {
    put(key: string, body: Buffer): Promise<void>;
}

/** quarantine/realtime/yyyy/MM/dd/HH/<content hash>.ndjson.gz, dated by the oldest arrival (as Firehose dates its objects). */
export function quarantineKey(arrivalMs: number, body: Buffer): string {
    const iso = new Date(arrivalMs).toISOString();
    const hour = `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}`;
    const hash = createHash("sha256").update(body).digest("hex").slice(0, 32);
    return `${QUARANTINE_PREFIX}${hour}/${hash}.ndjson.gz`;
}

/** Gzip NDJSON like batch quarantine; Node's gzip header carries no time, so equal lines give equal bytes. */
export function quarantineBody(outcome: TransformOutcome): Buffer {
    return gzipSync(outcome.quarantine.map((q) => `${JSON.stringify(q)}\n`).join(""));
}

/**
 * The batch's device certificates are fetched first, in one registry call for the things the
 * container has not cached. If the registry cannot answer, the invocation fails: Firehose
 * retries it and then keeps the records under processing-failed/, nothing is quarantined by
 * mistake.
 */
export async function handleFirehoseEvent(event: FirehoseEvent, sink: QuarantineSink, keyring: Keyring, options?: Omit<TransformOptions, "keys">): Promise<FirehoseResponse> {
    const keys = await keyring.lookup(event.records.map((r) => r.kinesisRecordMetadata?.partitionKey));
    const outcome = transformBatch(event, { ...options, keys });
    if (outcome.quarantine.length > 0) {
        const body = quarantineBody(outcome);
        // Set whenever there are quarantine lines.
        await sink.put(quarantineKey(outcome.oldestQuarantinedArrival!, body), body);
    }
    console.log(JSON.stringify({ message: "firehose batch transformed", invocationId: event.invocationId, ...outcome.stats }));
    return outcome.response;
}
