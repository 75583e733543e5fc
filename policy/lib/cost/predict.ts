/**
 * The cost model's side of calibration: `predictMeter` says what a metered run of a workload
 * should count (the same arithmetic as `flow`, scaled from a month to the run), `priceMeter`
 * prices a Meter with the model's prices. The local cloud (`mdetect local`) writes a real Meter
 * for the same workload; the calibration test compares the two key by key (policy/lib/cost/meter.ts).
 */
import { FunctionTally, Meter, ObjectTally, gbSeconds } from "./meter";
import { CSV_BYTES_PER_READING, CostLine, Design, FIREHOSE_BILLING_UNIT_BYTES, FEATURE_BYTES_PER_ROW, GB, KINESIS_PUT_UNIT_BYTES, LAMBDA_BASE_SECONDS, READING_INTERVAL_SECONDS, ROWS_PER_CHUNK, SECONDS_PER_MONTH, Usage, deviceKeyLookups, findingsObjectsPerCuratedObject, flow, inferenceObjectSeconds, projectsOf, regionOf, total, transformSeconds } from "./model";
import { price } from "./prices";

/** Logical function names as the plan (and so the meter) calls them. */
export const FUNCTION_NAMES = { transform: "mdetect-realtime-transform", inference: "mdetect-inference", registryAccess: "mdetect-registry-access" } as const;

export interface Workload {
    readonly detectors: number;
    readonly simulatedSeconds: number;
    readonly readingsPerRecord: number;
    /** JSON bytes of one reading, without its newline. */
    readonly bytesPerReading: number;
    /** Share of readings the transform quarantines (0-1): they reach quarantine/, not curated/. */
    readonly badReadingShare?: number;
    readonly compressionRatio: number;
    readonly recordGzipRatio?: number;
    readonly clients: number;
}

function scaled(x: number, share: number): number {
    return x * share;
}

/** What a run of `workload` against `design` should meter, key for key with the local cloud's Meter. */
export function predictMeter(design: Design, workload: Workload): Meter {
    if (!(workload.simulatedSeconds > 0)) throw new Error("simulatedSeconds must be positive");
    const bad = workload.badReadingShare ?? 0;
    if (!(bad >= 0 && bad <= 1)) throw new Error("badReadingShare must be in [0, 1]");
    const usage: Usage = {
        detectors: workload.detectors, bytesPerSecondPerDetector: workload.bytesPerReading, readingsPerRecord: workload.readingsPerRecord,
        compressionRatio: workload.compressionRatio, clients: workload.clients, apiCallsPerMonth: 0, recordGzipRatio: workload.recordGzipRatio,
    };
    const month = flow(design, usage);
    // Volumes scale with the run; object counts do not (a short run still flushes every buffer interval at least once).
    const share = workload.simulatedSeconds / SECONDS_PER_MONTH;
    const good = 1 - bad;
    const records = scaled(month.records, share);
    const readings = scaled(month.readings, share);
    const buffers = design.firehose ? Math.max(1, Math.ceil(scaled(month.curatedObjects, share))) : 0;
    const rawBuffers = design.firehose ? Math.max(1, Math.ceil(scaled(month.rawObjects, share))) : 0;
    // Firehose hands the transform a batch per BufferSizeInMBs or per minute, whichever comes first.
    const transformInvocations = design.firehose ? Math.max(1, Math.ceil(scaled(month.transformInvocations, share))) : 0;
    const objects: Record<string, ObjectTally> = {
        "raw/": { count: rawBuffers, bytes: scaled(month.rawStoredBytes, share) },
        "curated/": { count: buffers, bytes: good * scaled(month.curatedStoredBytes, share) },
    };
    // The transform writes its batch's bad lines as one quarantine object (functions/realtime/handler.ts).
    if (bad > 0) objects["quarantine/"] = { count: transformInvocations, bytes: bad * scaled(month.rawStoredBytes, share) };
    const inference = design.endpoint !== undefined;
    const endpointRequests = inference ? buffers * Math.ceil(good * readings / buffers / ROWS_PER_CHUNK) : 0;
    // The run's curated objects each span their share of the run (the month's objects span a buffer interval).
    if (inference) objects["findings/"] = { count: buffers * findingsObjectsPerCuratedObject(projectsOf(usage), workload.simulatedSeconds / buffers), bytes: good * scaled(month.findingsBytes, share) };
    const lambda: Record<string, FunctionTally> = {};
    if (design.firehose && design.lambdaMemoryMb.transform !== undefined) {
        // The estimate's duration (base + CPU per MiB), so a meter and the month bill the same seconds.
        const seconds = transformSeconds(scaled(month.rawBytes, share), transformInvocations);
        lambda[FUNCTION_NAMES.transform] = { invocations: transformInvocations, billedMs: Math.ceil(transformInvocations * seconds * 1000), memoryMb: design.lambdaMemoryMb.transform };
    }
    if (inference && design.lambdaMemoryMb.inference !== undefined) {
        // The run's own objects (a short run's are far smaller than the month's).
        const seconds = inferenceObjectSeconds(design, { rows: good * readings / buffers, csvBytes: good * readings * CSV_BYTES_PER_READING / buffers, findingsObjects: objects["findings/"].count / buffers });
        lambda[FUNCTION_NAMES.inference] = { invocations: buffers, billedMs: Math.ceil(buffers * seconds * 1000), memoryMb: design.lambdaMemoryMb.inference };
    }
    // The inference's calls per curated object; the transform's device-key lookups over the run's own window.
    const registryCalls = buffers * month.inferenceRegistryCalls / Math.max(month.curatedObjects, 1)
        + (design.firehose ? deviceKeyLookups(transformInvocations, workload.readingsPerRecord * READING_INTERVAL_SECONDS, workload.simulatedSeconds) : 0);
    if (registryCalls > 0 && design.lambdaMemoryMb.registryAccess !== undefined) {
        lambda[FUNCTION_NAMES.registryAccess] = { invocations: registryCalls, billedMs: Math.ceil(registryCalls * LAMBDA_BASE_SECONDS * 1000), memoryMb: design.lambdaMemoryMb.registryAccess };
    }
    const sentBytes = records * month.recordBytes;
    const calls: Record<string, number> = {
        [design.stream ? "kinesis:PutRecord" : "firehose:PutRecord"]: records,
        "s3:PutObject": Object.values(objects).reduce((n, o) => n + o.count, 0),
    };
    if (endpointRequests > 0) calls["sagemaker:InvokeEndpoint"] = endpointRequests;
    return {
        simulatedSeconds: workload.simulatedSeconds,
        detectors: workload.detectors,
        calls,
        bytesIn: { [design.stream ? "kinesis" : "firehose"]: sentBytes, ...(endpointRequests > 0 ? { sagemaker: good * readings * FEATURE_BYTES_PER_ROW } : {}) },
        bytesOut: {},
        objects,
        lambda,
        firehose: {
            records: design.firehose ? records : 0,
            bytes: design.firehose ? sentBytes : 0,
            billedBytes: design.firehose ? records * Math.ceil(month.recordBytes / FIREHOSE_BILLING_UNIT_BYTES) * FIREHOSE_BILLING_UNIT_BYTES : 0,
        },
        endpoint: { requests: endpointRequests, rows: inference ? good * readings : 0, bytes: inference ? good * readings * FEATURE_BYTES_PER_ROW : 0 },
        // Two statements per inference run (owner spans, finding upsert) plus the id lookups and day/object upserts.
        registry: { queries: inference ? buffers * 5 : 0 },
    };
}

/** The usage-driven part of the bill for a Meter, with the model's prices (fixed monthly charges excluded). */
export function priceMeter(meter: Meter): { lines: CostLine[]; totalUsd: number } {
    const lines: CostLine[] = [];
    const add = (service: string, item: string, quantity: number, unit: string, usd: number, region: string) => {
        if (quantity > 0) lines.push({ service, item, quantity, unit, usd, region });
    };
    const kinesisRecords = meter.calls["kinesis:PutRecord"] ?? 0;
    if (kinesisRecords > 0) {
        const perRecord = (meter.bytesIn.kinesis ?? 0) / kinesisRecords;
        const units = kinesisRecords * Math.max(1, Math.ceil(perRecord / KINESIS_PUT_UNIT_BYTES));
        add("Kinesis", "PUT payload units (25 KB)", units, "units", units * price("kinesis.putPayloadUnit"), regionOf("kinesis.putPayloadUnit"));
    }
    add("Firehose", "ingestion (billed bytes)", meter.firehose.billedBytes / GB, "GB billed", meter.firehose.billedBytes / GB * price("firehose.ingestGb"), regionOf("firehose.ingestGb"));
    const puts = meter.calls["s3:PutObject"] ?? 0;
    add("S3", "PUT requests", puts, "requests", puts * price("s3.putRequest"), regionOf("s3.putRequest"));
    const storedGb = Object.values(meter.objects).reduce((n, o) => n + o.bytes, 0) / GB;
    add("S3", "bytes written (one month in Standard)", storedGb, "GB-month", storedGb * price("s3.standardGbMonth"), regionOf("s3.standardGbMonth"));
    for (const [name, tally] of Object.entries(meter.lambda)) {
        add("Lambda", name, tally.invocations, "invocations", tally.invocations * price("lambda.request") + gbSeconds(tally) * price("lambda.arm64GbSecond"), regionOf("lambda.request", "lambda.arm64GbSecond"));
    }
    const dataGb = meter.endpoint.bytes / GB;
    add("SageMaker", "serverless data processed (features in)", dataGb, "GB", dataGb * price("sagemaker.serverlessDataGb"), regionOf("sagemaker.serverlessDataGb"));
    return { lines, totalUsd: total(lines) };
}
