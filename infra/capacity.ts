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
