/**
 * Local Firehose delivery stream (Kinesis source -> Lambda processor -> extended S3), as the
 * plan declares it and as the Firehose developer guide documents it:
 *
 * - Source: reads every shard of the source stream (GetShardIterator/GetRecords) with the
 *   delivery stream's role, through the Kinesis front, so its permissions are evaluated.
 * - Processing: records are buffered up to the processor's BufferSizeInMBs or
 *   BufferIntervalInSeconds, then the function is invoked synchronously with the documented
 *   event (invocationId, deliveryStreamArn, sourceKinesisStreamArn, region, records of
 *   recordId, approximateArrivalTimestamp, base64 data, kinesisRecordMetadata). Each returned
 *   record must echo a recordId of the batch, with result Ok, Dropped or ProcessingFailed and
 *   base64 data; a record missing from the answer, an unknown recordId or result, or a failed
 *   invocation make the records processing failures. A failed invocation is retried
 *   NumberOfRetries times (default 3) before its records go to the error output.
 * - Destination: Ok data is concatenated and buffered up to the S3 buffering hints (size MiB,
 *   interval s), compressed (GZIP) and written as `<prefix><DeliveryStreamName>-<version>-
 *   yyyy-MM-dd-HH-mm-ss-<uuid><fileExtension>`; `!{timestamp:...}` is the arrival time of the
 *   oldest record in the object (UTC).
 *   https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html
 * - Errors: processing failures are written under the error output prefix with
 *   `!{firehose:error-output-type}` = `processing-failed`, one JSON line per record
 *   (attemptsMade, arrivalTimestamp, errorCode, errorMessage, attemptEndingTimestamp, rawData,
 *   lambdaArn). https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 * - Source backup: when enabled, every source record, untransformed, under the backup prefix
 *   with the backup's own buffering and compression.
 * - S3 failures (5xx, AccessDenied) are retried on the next flush: nothing is dropped while the
 *   retry window (24 h) lasts; the `DeliveryToS3.*` metrics count them.
 */
import { randomUUID } from "crypto";
import { gzipSync } from "zlib";
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from "@aws-sdk/client-kinesis";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { SimClock } from "./clock";
import { DeliveryStreamPlan, S3DestinationPlan } from "./plan";
import { Principal } from "./principals";
import { InvocationResult } from "./runner";

const MIB = 1024 * 1024;
/** Firehose bills each record rounded up to the next 5 KB (Kinesis Data Streams source). */
export const BILLING_INCREMENT_BYTES = 5 * 1024;

export interface SourceRecord {
    readonly recordId: string;
    readonly data: Buffer;
    readonly arrival: number;
    readonly shardId?: string;
    readonly partitionKey?: string;
    readonly sequenceNumber?: string;
}

export interface FirehoseMetrics {
    recordsIn: number;
    bytesIn: number;
    billedBytes: number;
    ok: number;
    dropped: number;
    processingFailed: number;
    invocations: number;
    failedInvocations: number;
    objectsWritten: number;
    s3Failures: number;
}

export type Invoke = (event: unknown) => Promise<InvocationResult<any>>;

interface Pending { readonly records: SourceRecord[]; bytes: number; since: number }
interface Staged { readonly key: string; readonly body: Buffer; readonly dest: S3DestinationPlan; attempts: number; lastError?: string }

/** `!{timestamp:yyyy}` and friends, and `!{firehose:error-output-type}`. */
export function expandPrefix(prefix: string, oldestArrival: number, errorType?: string): string {
    const iso = new Date(oldestArrival).toISOString();
    const parts: Record<string, string> = { yyyy: iso.slice(0, 4), MM: iso.slice(5, 7), dd: iso.slice(8, 10), HH: iso.slice(11, 13), mm: iso.slice(14, 16), ss: iso.slice(17, 19) };
    return prefix
        .replace(/!\{timestamp:([^}]+)\}/g, (_, fmt: string) => fmt.replace(/yyyy|MM|dd|HH|mm|ss/g, (t) => parts[t]))
        .replace(/!\{firehose:error-output-type\}/g, () => {
            if (!errorType) throw new Error("prefix uses !{firehose:error-output-type} outside an error output");
            return errorType;
        })
        .replace(/!\{firehose:random-string\}/g, () => randomUUID().slice(0, 11));
}

export class LocalFirehose {
    readonly metrics: FirehoseMetrics = { recordsIn: 0, bytesIn: 0, billedBytes: 0, ok: 0, dropped: 0, processingFailed: 0, invocations: 0, failedInvocations: 0, objectsWritten: 0, s3Failures: 0 };
    private readonly s3: S3Client;
    private readonly kinesis?: KinesisClient;
    private readonly iterators = new Map<string, string>();
    private processing: Pending = { records: [], bytes: 0, since: 0 };
    private destination: Pending = { records: [], bytes: 0, since: 0 };
    private backup: Pending = { records: [], bytes: 0, since: 0 };
    private readonly unwritten: Staged[] = [];
    private seq = 0;

    constructor(
        readonly plan: DeliveryStreamPlan,
        private readonly clock: SimClock,
        private readonly invoke: Invoke | undefined,
        endpoints: { s3: string; kinesis?: string },
        role: Principal,
        region: string,
    ) {
        const credentials = { accessKeyId: role.accessKeyId, secretAccessKey: role.secretAccessKey, sessionToken: role.sessionToken };
        this.s3 = new S3Client({ region, endpoint: endpoints.s3, forcePathStyle: true, credentials, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
        if (plan.sourceStreamArn && endpoints.kinesis) {
            this.kinesis = new KinesisClient({ region, endpoint: endpoints.kinesis, credentials, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
        }
    }

    /** Records added directly (PutRecordBatch or a test); a Kinesis source uses `poll`. */
    accept(records: readonly SourceRecord[]): void {
        for (const r of records) {
            this.metrics.recordsIn += 1;
            this.metrics.bytesIn += r.data.length;
            this.metrics.billedBytes += Math.ceil(Math.max(1, r.data.length) / BILLING_INCREMENT_BYTES) * BILLING_INCREMENT_BYTES;
            const into = this.plan.processor ? this.processing : this.destination;
            this.add(into, r);
            if (this.plan.backup) this.add(this.backup, r);
        }
    }

    private add(p: Pending, r: SourceRecord): void {
        if (p.records.length === 0) p.since = this.clock.now();
        p.records.push(r);
        p.bytes += r.data.length;
    }

    /** Reads what the source stream holds now (Firehose polls each shard once a second). */
    async poll(): Promise<number> {
        if (!this.kinesis || !this.plan.sourceStreamArn) return 0;
        const arn = this.plan.sourceStreamArn;
        if (this.iterators.size === 0) {
            const shards = await this.kinesis.send(new ListShardsCommand({ StreamARN: arn }));
            for (const shard of shards.Shards ?? []) {
                const it = await this.kinesis.send(new GetShardIteratorCommand({ StreamARN: arn, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" }));
                this.iterators.set(shard.ShardId!, it.ShardIterator!);
            }
        }
        let count = 0;
        for (const [shardId, iterator] of this.iterators) {
            const out = await this.kinesis.send(new GetRecordsCommand({ StreamARN: arn, ShardIterator: iterator, Limit: 10000 }));
            if (out.NextShardIterator) this.iterators.set(shardId, out.NextShardIterator);
            const arrival = this.clock.now();
            this.accept((out.Records ?? []).map((r) => ({
                recordId: `${r.SequenceNumber}-${this.seq++}`,
                data: Buffer.from(r.Data!),
                arrival,
                shardId, partitionKey: r.PartitionKey, sequenceNumber: r.SequenceNumber,
            })));
            count += out.Records?.length ?? 0;
        }
        return count;
    }

    private due(p: Pending, sizeMiB: number, intervalSeconds: number, force: boolean): boolean {
        if (p.records.length === 0) return false;
        return force || p.bytes >= sizeMiB * MIB || this.clock.now() - p.since >= intervalSeconds * 1000;
    }

    /** One step: poll the source, run due processing batches, flush due objects, retry failed writes. */
    async tick(options: { force?: boolean } = {}): Promise<void> {
        await this.poll();
        const force = options.force ?? false;
        const proc = this.plan.processor;
        while (proc && this.due(this.processing, proc.bufferSizeMiB, proc.bufferIntervalSeconds, force)) {
            const batch = this.take(this.processing, proc.bufferSizeMiB * MIB);
            await this.process(batch);
        }
        const dest = this.plan.destination;
        if (this.due(this.destination, dest.bufferingSizeMiB, dest.bufferingIntervalSeconds, force)) {
            const records = this.take(this.destination, Infinity);
            this.stage(dest, records, Buffer.concat(records.map((r) => r.data)));
        }
        const backup = this.plan.backup;
        if (backup && this.due(this.backup, backup.bufferingSizeMiB, backup.bufferingIntervalSeconds, force)) {
            const records = this.take(this.backup, Infinity);
            this.stage(backup, records, Buffer.concat(records.map((r) => r.data)));
        }
        await this.writeStaged();
    }

    /** Records still inside the stream's buffers or waiting for S3. */
    pending(): number {
        return this.processing.records.length + this.destination.records.length + this.backup.records.length + this.unwritten.length;
    }

    /** Why the objects waiting for S3 are still waiting: each one's key and last error. */
    unwrittenErrors(): string[] {
        return this.unwritten.filter((o) => o.lastError).map((o) => `${o.key}: ${o.lastError}`);
    }

    private take(p: Pending, maxBytes: number): SourceRecord[] {
        const out: SourceRecord[] = [];
        let bytes = 0;
        while (p.records.length && (out.length === 0 || bytes + p.records[0].data.length <= maxBytes)) {
            const r = p.records.shift()!;
            bytes += r.data.length;
            out.push(r);
        }
        p.bytes -= bytes;
        if (p.records.length) p.since = this.clock.now();
        return out;
    }

    private async process(batch: SourceRecord[]): Promise<void> {
        const proc = this.plan.processor!;
        const event = {
            invocationId: randomUUID(),
            deliveryStreamArn: this.plan.arn,
            sourceKinesisStreamArn: this.plan.sourceStreamArn,
            region: this.plan.arn.split(":")[3],
            records: batch.map((r) => ({
                recordId: r.recordId,
                approximateArrivalTimestamp: r.arrival,
                data: r.data.toString("base64"),
                kinesisRecordMetadata: r.shardId ? {
                    shardId: r.shardId, partitionKey: r.partitionKey!, approximateArrivalTimestamp: r.arrival, sequenceNumber: r.sequenceNumber!, subsequenceNumber: "",
                } : undefined,
            })),
        };
        let attempts = 0;
        let lastError = "";
        while (attempts <= proc.retries) {
            attempts += 1;
            this.metrics.invocations += 1;
            const result = await this.invoke!(event);
            if (!result.ok) {
                this.metrics.failedInvocations += 1;
                lastError = `${result.errorType}: ${result.errorMessage}`;
                continue;
            }
            const checked = this.checkResponse(batch, result.result);
            if ("error" in checked) { lastError = checked.error; this.metrics.failedInvocations += 1; continue; }
            for (const { record, out } of checked.records) {
                if (out.result === "Ok") {
                    this.metrics.ok += 1;
                    this.add(this.destination, { ...record, data: Buffer.from(out.data ?? "", "base64") });
                } else if (out.result === "Dropped") {
                    this.metrics.dropped += 1;
                } else {
                    this.failed([record], attempts, "Lambda.ProcessingFailed", "record answered ProcessingFailed");
                }
            }
            return;
        }
        this.failed(batch, attempts, "Lambda.InvokeFailed", lastError);
    }

    /** Every record answered once, with a known result: else the whole answer is invalid. */
    private checkResponse(batch: SourceRecord[], response: any): { records: { record: SourceRecord; out: any }[] } | { error: string } {
        const answers: any[] = Array.isArray(response?.records) ? response.records : [];
        const byId = new Map(answers.map((a) => [a?.recordId, a]));
        if (byId.size !== answers.length) return { error: "Lambda.DuplicatedRecordId: a recordId was answered twice" };
        const records: { record: SourceRecord; out: any }[] = [];
        for (const record of batch) {
            const out = byId.get(record.recordId);
            if (!out) return { error: `Lambda.MissingRecordId: recordId ${record.recordId} was not answered` };
            if (!["Ok", "Dropped", "ProcessingFailed"].includes(out.result)) return { error: `Lambda.InvalidRecordResult: ${String(out.result)}` };
            if (out.result === "Ok" && typeof out.data !== "string") return { error: "Lambda.MissingData: an Ok record has no base64 data" };
            records.push({ record, out });
        }
        if (answers.length !== batch.length) return { error: "Lambda.UnknownRecordId: the answer names records not in the batch" };
        return { records };
    }

    private failed(records: SourceRecord[], attempts: number, errorCode: string, errorMessage: string): void {
        this.metrics.processingFailed += records.length;
        const dest = this.plan.destination;
        if (!dest.errorOutputPrefix) throw new Error(`${this.plan.name}: processing failed and no error output prefix is declared`);
        const now = this.clock.now();
        const lines = records.map((r) => JSON.stringify({
            attemptsMade: attempts, arrivalTimestamp: r.arrival, errorCode, errorMessage,
            attemptEndingTimestamp: now, rawData: r.data.toString("base64"), lambdaArn: this.plan.processor?.functionArn,
        }) + "\n");
        this.stage(dest, records, Buffer.from(lines.join("")), "processing-failed");
    }

    private stage(dest: S3DestinationPlan, records: SourceRecord[], data: Buffer, errorType?: string): void {
        const oldest = Math.min(...records.map((r) => r.arrival));
        const prefix = expandPrefix(errorType ? dest.errorOutputPrefix! : dest.prefix, oldest, errorType);
        const stamp = new Date(oldest).toISOString().slice(0, 19).replace(/[T:]/g, "-");
        const key = `${prefix}${this.plan.name}-1-${stamp}-${randomUUID()}${dest.fileExtension}`;
        const body = dest.compression === "GZIP" ? gzipSync(data) : data;
        this.unwritten.push({ key, body, dest, attempts: 0 });
    }

    private async writeStaged(): Promise<void> {
        const keep: Staged[] = [];
        for (const o of this.unwritten.splice(0)) {
            o.attempts += 1;
            try {
                await this.s3.send(new PutObjectCommand({ Bucket: o.dest.bucket, Key: o.key, Body: o.body, ServerSideEncryption: o.dest.kmsKeyArn ? "aws:kms" : undefined, SSEKMSKeyId: o.dest.kmsKeyArn }));
                this.metrics.objectsWritten += 1;
            } catch (err) {
                this.metrics.s3Failures += 1;
                o.lastError = `${(err as Error).name}: ${(err as Error).message}`;
                keep.push(o);
            }
        }
        this.unwritten.push(...keep);
    }

    stop(): void {
        this.s3.destroy();
        this.kinesis?.destroy();
    }
}
