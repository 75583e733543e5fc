/**
 * Kinesis stream capacity from the fleet profile. Pure arithmetic with no Pulumi import, so the
 * real-time component and the cost model size the stream the same way.
 */

/** What sizes the stream (a structural subset of FleetConfig). */
export interface FleetLoad {
    readonly detectorCount: number;
    readonly bytesPerSecondPerDetector: number;
    readonly readingsPerRecord: number;
}

export interface StreamCapacity {
    /** Provisioned shards needed (at least 1). */
    readonly shards: number;
    /** The per-shard limit that decides the count (bytes on a tie). */
    readonly limitedBy: "bytes" | "records";
    readonly recordsPerSecond: number;
    readonly bytesPerSecond: number;
    /** Size of one device-batched record. */
    readonly recordBytes: number;
}

/** Kinesis per-shard write limits (Kinesis Data Streams quotas): 1 MiB/s and 1,000 records/s. */
export const SHARD_BYTES_PER_SECOND = 1024 * 1024;
export const SHARD_RECORDS_PER_SECOND = 1000;
/** Largest data blob one Kinesis record may carry (1 MiB). */
export const MAX_RECORD_BYTES = 1024 * 1024;
/**
 * Shards are sized to run at most 75% full: detectors reconnecting after an outage flush their
 * backlog together, and detector-id partition keys hash unevenly, so the busiest shard runs
 * above the average. A shard over its limit throttles producers (ProvisionedThroughputExceeded).
 */
export const TARGET_UTILIZATION = 0.75;
/** The seed's detector sends one JSON reading a second, so a reading is bytesPerSecondPerDetector long. */
export const READINGS_PER_SECOND_PER_DETECTOR = 1;

export class CapacityError extends Error {}

export function streamCapacity(fleet: FleetLoad): StreamCapacity {
    const { detectorCount, bytesPerSecondPerDetector, readingsPerRecord } = fleet;
    for (const [key, value] of Object.entries({ detectorCount, bytesPerSecondPerDetector, readingsPerRecord })) {
        if (!Number.isInteger(value) || value < 1) throw new CapacityError(`${key} must be an integer >= 1, got ${value}`);
    }
    const bytesPerReading = bytesPerSecondPerDetector / READINGS_PER_SECOND_PER_DETECTOR;
    const recordBytes = readingsPerRecord * bytesPerReading;
    if (recordBytes > MAX_RECORD_BYTES) {
        throw new CapacityError(`readingsPerRecord ${readingsPerRecord} x ${bytesPerReading} B = ${recordBytes} B exceeds the ${MAX_RECORD_BYTES} B Kinesis record limit`);
    }
    const recordsPerSecond = detectorCount * READINGS_PER_SECOND_PER_DETECTOR / readingsPerRecord;
    const bytesPerSecond = detectorCount * bytesPerSecondPerDetector;
    const byBytes = Math.ceil(bytesPerSecond / (SHARD_BYTES_PER_SECOND * TARGET_UTILIZATION));
    const byRecords = Math.ceil(recordsPerSecond / (SHARD_RECORDS_PER_SECOND * TARGET_UTILIZATION));
    return {
        shards: Math.max(1, byBytes, byRecords),
        limitedBy: byBytes >= byRecords ? "bytes" : "records",
        recordsPerSecond,
        bytesPerSecond,
        recordBytes,
    };
}

/**
 * Documented limits the pipeline runs into as the fleet grows (Sydney defaults where they differ).
 * Sources: Kinesis and S3 as above; EventBridge quotas (docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html:
 * invocations 2,250/s in ap-southeast-2); S3 request rates (docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html:
 * 3,500 PUT/s per partitioned prefix); IAM database authentication, recommended for fewer than 200 new
 * connections a second (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html);
 * Lambda's default 1,000 concurrent executions per Region; serverless endpoints at most 200 concurrent
 * invocations per endpoint.
 */
export const LIMITS = {
    eventBridgeInvocationsPerSecond: 2250,
    s3PutsPerSecondPerPrefix: 3500,
    iamAuthNewConnectionsPerSecond: 200,
    lambdaConcurrency: 1000,
    serverlessEndpointConcurrency: 200,
    firehoseDirectPutRequestsPerSecond: 1000,
    firehoseDirectPutBytesPerSecond: 1024 * 1024,
} as const;

/** Workload figures per curated object and per invocation that size the rest (from the cost model's measured constants). */
export interface PipelineProfile extends FleetLoad {
    /** Bytes each record carries as sent (after firmware gzip, if any). */
    readonly sentRecordBytes: number;
    readonly csvBytesPerReading: number;
    readonly bufferMiB: number;
    readonly bufferSeconds: number;
    /** Seconds one inference run takes (cost model's inferenceSeconds or the fleet bench). */
    readonly inferenceSeconds: number;
    readonly transformSeconds: number;
    readonly transformBatchBytes: number;
    readonly endpointConcurrencyPerRun: number;
    readonly projects: number;
    /** Registry access calls per inference run, and how long each holds a connection. */
    readonly registryCallsPerRun: number;
    readonly registryCallSeconds: number;
}

export interface PipelineCapacity {
    readonly detectors: number;
    readonly shards: number;
    readonly transformConcurrency: number;
    readonly curatedObjectsPerSecond: number;
    readonly inferenceConcurrency: number;
    readonly endpointConcurrency: number;
    /** Registry connections open at once, and new connections a second if every call opened one (no reuse). */
    readonly registryConnections: number;
    readonly registryNewConnectionsPerSecondWorstCase: number;
    readonly eventBridgeInvocationsPerSecond: number;
    readonly s3PutsPerSecondPeakPrefix: number;
    readonly firehoseDirectPutRequestsPerSecond: number;
    readonly firehoseDirectPutBytesPerSecond: number;
    /** Each limit's headroom: limit / load (below 1 = over the limit). */
    readonly headroom: Readonly<Record<string, number>>;
}

/** Arrival rate x duration (Little's law) for each stage, against its documented limit. */
export function pipelineCapacity(p: PipelineProfile): PipelineCapacity {
    const stream = streamCapacity(p);
    const recordsPerSecond = stream.recordsPerSecond;
    const sentBytesPerSecond = recordsPerSecond * p.sentRecordBytes;
    const csvBytesPerSecond = p.detectorCount * READINGS_PER_SECOND_PER_DETECTOR * p.csvBytesPerReading;
    const curatedObjectsPerSecond = Math.max(1 / p.bufferSeconds, csvBytesPerSecond / (p.bufferMiB * 1024 * 1024));
    const transformConcurrency = Math.max(sentBytesPerSecond / p.transformBatchBytes, 1 / 60) * p.transformSeconds;
    const inferenceConcurrency = curatedObjectsPerSecond * p.inferenceSeconds;
    const endpointConcurrency = Math.ceil(inferenceConcurrency) * p.endpointConcurrencyPerRun;
    const registryCallsPerSecond = curatedObjectsPerSecond * p.registryCallsPerRun;
    const registryConnections = registryCallsPerSecond * p.registryCallSeconds;
    // Object Created events for raw/ and curated/ objects, plus the findings objects inference writes.
    const rawObjectsPerSecond = Math.max(1 / p.bufferSeconds, sentBytesPerSecond / (p.bufferMiB * 1024 * 1024));
    const findingsPerSecond = curatedObjectsPerSecond * p.projects * 2;
    const eventBridgeInvocationsPerSecond = curatedObjectsPerSecond; // only curated/ objects match the inference rule
    const s3PutsPerSecondPeakPrefix = Math.max(rawObjectsPerSecond, curatedObjectsPerSecond, findingsPerSecond);
    const load = {
        lambdaConcurrency: transformConcurrency + inferenceConcurrency + registryConnections,
        serverlessEndpointConcurrency: endpointConcurrency,
        iamAuthNewConnectionsPerSecond: registryCallsPerSecond,
        eventBridgeInvocationsPerSecond,
        s3PutsPerSecondPerPrefix: s3PutsPerSecondPeakPrefix,
        firehoseDirectPutRequestsPerSecond: recordsPerSecond,
        firehoseDirectPutBytesPerSecond: sentBytesPerSecond,
    };
    const headroom = Object.fromEntries(Object.entries(load).map(([k, v]) => [k, LIMITS[k as keyof typeof LIMITS] / Math.max(v, 1e-12)]));
    return {
        detectors: p.detectorCount, shards: stream.shards, transformConcurrency, curatedObjectsPerSecond, inferenceConcurrency, endpointConcurrency,
        registryConnections, registryNewConnectionsPerSecondWorstCase: registryCallsPerSecond,
        eventBridgeInvocationsPerSecond, s3PutsPerSecondPeakPrefix,
        firehoseDirectPutRequestsPerSecond: recordsPerSecond, firehoseDirectPutBytesPerSecond: sentBytesPerSecond, headroom,
    };
}
