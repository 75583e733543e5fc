/**
 * The monthly cost of a design under a usage profile: pure arithmetic over the price table
 * (policy/lib/cost/prices.json). `design.ts` reads the design from the resources the program
 * declares; this module never looks at Pulumi. Every assumption that is not a price is a named
 * constant with its reason; every line carries the region its price came from.
 */
import table from "./prices.json";
import { PriceId, PRICES, instanceHour, price } from "./prices";
import { MEASURED_CSV_BYTES_PER_READING, MEASURED_FEATURE_BYTES_PER_ROW } from "./measured";

/** The region the estimate is for (prices.json targetRegion): lines priced elsewhere are marked. */
export const PRICES_TARGET_REGION: string = table.targetRegion;
export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
export const DAYS_PER_MONTH = 365 / 12;
export const GB = 1024 ** 3;
const MIB = 1024 ** 2;
const MB = 1e6;
const KB = 1024;

/** Detectors take one reading a second (schema/telemetry.md). */
export const READING_INTERVAL_SECONDS = 1;
/** Each NDJSON reading ends in "\n": 60 readings of 1,024 B are 61,500 B, 13 Firehose units, not 12. */
export const NEWLINE_BYTES = 1;
/** Curated CSV row: detector_id, timestamp, seq and 8 features (measured.ts). */
export const CSV_BYTES_PER_READING = MEASURED_CSV_BYTES_PER_READING;
/** The model's input row (8 features, no ids, "\n"; measured.ts) and its output (one score per line). */
export const FEATURE_BYTES_PER_ROW = MEASURED_FEATURE_BYTES_PER_ROW;
const SCORE_BYTES_PER_ROW = 8;
/** A findings row: detector_id,timestamp,seq,score,severity. */
export const FINDINGS_BYTES_PER_ROW = 70;
/** Kinesis bills PUT payload units of 25 KB; on-demand rounds each record to 1 KB; Firehose to 5 KB. */
export const KINESIS_PUT_UNIT_BYTES = 25 * KB;
export const KINESIS_ON_DEMAND_UNIT_BYTES = KB;
export const FIREHOSE_BILLING_UNIT_BYTES = 5 * KB;
/** Firehose's Lambda processor flushes at its BufferSizeInMBs (the program sets it) or after 60 s, its default interval. */
const TRANSFORM_BATCH_SECONDS = 60;
/** Transform CPU per MiB of telemetry at 256 MB arm64 (from `npm run bench -- convert`: ~30 MB/s on a full core). */
const TRANSFORM_SECONDS_PER_MIB = 0.25;
/** Inference Lambda CPU per MiB of curated CSV: gunzip, parse, chunk, join, gzip findings (`npm run bench -- inference`, x2 for 1 GB arm64). */
const INFERENCE_SECONDS_PER_MIB_CSV = 0.2;
/** Lambda's floor per invocation (start-up, S3 GET, logging). */
export const LAMBDA_BASE_SECONDS = 0.1;
/** One sync invoke of the registry access Lambda plus its SQL (warm). */
export const REGISTRY_ROUND_TRIP_SECONDS = 0.05;
/** Registry round trips per curated object: one owner-span lookup (per 5,000 detectors), one batched write. */
export const REGISTRY_CALLS_PER_OBJECT = 2;
export const REGISTRY_SERIALS_PER_CALL = 5000;
/** Detector days per write call (functions/inference/registry-lambda.ts DETECTOR_DAYS_PER_CALL: under Lambda's 6 MB payload). */
export const REGISTRY_DAYS_PER_CALL = 10_000;
/** The transform keeps a device certificate per container this long (functions/realtime/keyring.ts KEY_TTL_MS). */
export const DEVICE_KEY_TTL_SECONDS = 300;
/** Rows a serverless endpoint container scores per second with the sample scikit-learn model (order of magnitude). */
export const SERVERLESS_ROWS_PER_SECOND = 50_000;
/** Request overhead per InvokeEndpoint (TLS, routing, container hand-off). */
export const ENDPOINT_REQUEST_SECONDS = 0.1;
/** Serverless payload limit and the rows one chunk carries (functions/inference/contract.ts). */
const ENDPOINT_PAYLOAD_BYTES = 4_000_000;
export const ROWS_PER_CHUNK = Math.floor(ENDPOINT_PAYLOAD_BYTES / FEATURE_BYTES_PER_ROW);
/** S3 PUT of a findings object from Lambda (16 in flight). */
const FINDINGS_PUT_SECONDS = 0.05;
const FINDINGS_PUT_CONCURRENCY = 16;
/** Each client runs a couple of projects (surveys) at once: findings objects are per client, project and hour. */
export const PROJECTS_PER_CLIENT = 2;
/** A finding covers one UTC hour of one source object (functions/inference/findings.ts FINDING_PERIOD_MS). */
const FINDING_PERIOD_SECONDS = 3600;
/** API handlers: short DB query + presign. */
const API_SECONDS_PER_CALL = 0.15;
/** One in ten API calls is a download, each a CloudTrail data event on findings/. */
const DOWNLOAD_SHARE_OF_API_CALLS = 0.1;
/** Alerts reach each client about once a day. */
const ALERT_EMAILS_PER_CLIENT_PER_MONTH = 30;
/** Structured log lines per invocation and per API access-log line. */
const LOG_BYTES_PER_INVOCATION = 1 * KB;
const ACCESS_LOG_BYTES_PER_CALL = 400;
/** Archive classes keep 8 KB per object at the Standard rate and 32 KB at the archive rate. */
export const ARCHIVE_OVERHEAD_STANDARD_BYTES = 8 * KB;
export const ARCHIVE_OVERHEAD_ARCHIVE_BYTES = 32 * KB;
/** Lifecycle's default transitionDefaultMinimumObjectSize (all_storage_classes_128K): smaller objects never transition. */
export const MIN_TRANSITION_OBJECT_BYTES = 128 * KB;
/** S3 bucket keys cut KMS requests per object by ~99% (one data key per bucket key lifetime). */
const KMS_REQUESTS_PER_OBJECT_WITH_BUCKET_KEY = 0.01;
/**
 * A KMS-encrypted stream calls KMS when it rotates a credential's data key, about every 5 minutes,
 * and each user credential needs its own call (docs.aws.amazon.com/streams/latest/dev/costs-performance.html):
 * each detector's IoT session is one producer; Firehose reading the stream is one consumer.
 */
export const KMS_DATA_KEY_SECONDS = 300;
export const KMS_REQUESTS_PER_CREDENTIAL_MONTH = SECONDS_PER_MONTH / KMS_DATA_KEY_SECONDS;
/**
 * A producer that puts less often than the data key lives finds it expired at every put: one call
 * per put (our reading of the same page; the firmware's batch sets the put interval).
 */
export function kmsRequestsPerProducerMonth(putsPerProducerMonth: number): number {
    return Math.min(putsPerProducerMonth, KMS_REQUESTS_PER_CREDENTIAL_MONTH);
}
/**
 * Registry bytes per row, data + indexes: the mean over findings, stream_objects and detector_days
 * measured on MariaDB after a simulated day at 1,000 detectors (`npm run bench -- registry`:
 * 7.14 MiB for 4,422 rows, InnoDB page and extent allocation included; docs/benchmarks.md).
 */
const MEASURED_REGISTRY_BYTES_PER_ROW = 1690;
export const REGISTRY_BYTES_PER_ROW = { finding: MEASURED_REGISTRY_BYTES_PER_ROW, streamObject: MEASURED_REGISTRY_BYTES_PER_ROW, detectorDay: MEASURED_REGISTRY_BYTES_PER_ROW } as const;
/** Schema, registry tables and the InnoDB system tablespace before any telemetry. */
const REGISTRY_BASE_GB = 0.5;

export interface Usage {
    readonly detectors: number;
    /** Bytes of one JSON reading, without its newline (one reading a second, so also bytes per second). */
    readonly bytesPerSecondPerDetector: number;
    readonly readingsPerRecord: number;
    /** Gzip output / input for telemetry JSON and CSV, as Firehose and the converters compress it. */
    readonly compressionRatio: number;
    readonly clients: number;
    readonly apiCallsPerMonth: number;
    /**
     * Firmware option (issue 17 item 4): each batched record is gzipped on the detector at this
     * ratio (measured 0.102 on 60 readings); Firehose and Kinesis bill the record as sent.
     */
    readonly recordGzipRatio?: number;
}

export interface Lifecycle {
    /** false: everything stays in S3 Standard (the seed's straightforward design). */
    readonly enabled: boolean;
    readonly rawToGlacierDays: number;
    readonly rawToDeepArchiveDays: number;
    readonly curatedToInfrequentAccessDays: number;
    readonly curatedToGlacierDays: number;
    /** findings/ move to Standard-IA only (infra/storage.ts findings-tier); absent = never. */
    readonly findingsToInfrequentAccessDays?: number;
    /** 0 keeps data forever. */
    readonly expireDays: number;
}

export type Endpoint =
    | { readonly kind: "serverless"; readonly memoryMb: number; readonly maxConcurrency?: number }
    | { readonly kind: "instance"; readonly instanceType: string; readonly count: number };

export interface Design {
    readonly stream?: { readonly mode: "PROVISIONED" | "ON_DEMAND"; readonly shards: number; readonly encrypted?: boolean };
    readonly firehose?: { readonly bufferMiB: number; readonly bufferSeconds: number; readonly compressed: boolean; readonly transformBatchMb?: number };
    /** Memory of the Lambdas whose work scales with usage (absent = not deployed). */
    readonly lambdaMemoryMb: { readonly transform?: number; readonly inference?: number; readonly registryAccess?: number; readonly api?: number; readonly scheduled?: number };
    /** How often scheduled functions (the silence check) run. */
    readonly scheduledRunsPerMonth: number;
    readonly endpoint?: Endpoint;
    readonly rds?: { readonly instanceClass: string; readonly storageGb: number; readonly multiAz: boolean };
    readonly kmsKeys: number;
    readonly alarms: number;
    readonly dashboards: number;
    readonly customMetrics: number;
    readonly secrets: number;
    readonly interfaceEndpointAzs: number;
    readonly natGateways: number;
    readonly findingsDataEvents: boolean;
    readonly lifecycle: Lifecycle;
}

export interface CostLine {
    readonly service: string;
    readonly item: string;
    readonly quantity: number;
    readonly unit: string;
    readonly usd: number;
    /** Region of the price(s) behind the line (prices.json), "+"-joined when mixed. */
    readonly region: string;
}

export interface MonthEstimate {
    readonly month: number;
    readonly lines: CostLine[];
    readonly totalUsd: number;
    readonly storedGb: number;
    /** The part of the total priced from a region other than the target (prices.json targetRegion). */
    readonly unconfirmedUsd: number;
}

/** Volumes one month of telemetry produces; shared by the estimate, the meter prediction and capacity planning. */
export interface Flow {
    readonly readings: number;
    readonly records: number;
    /** One batched record as the detector sends it (gzipped when the firmware option is on). */
    readonly recordBytes: number;
    /** NDJSON bytes before any compression. */
    readonly rawBytes: number;
    /** Bytes as sent (= Firehose incoming bytes). */
    readonly sentBytes: number;
    readonly firehoseBilledGb: number;
    readonly rawStoredBytes: number;
    readonly curatedBytes: number;
    readonly curatedStoredBytes: number;
    readonly findingsBytes: number;
    readonly rawObjects: number;
    readonly curatedObjects: number;
    readonly findingsObjects: number;
    /** Inference invocations (one per curated object) and endpoint requests. */
    readonly inferenceInvocations: number;
    readonly endpointRequests: number;
    /** Registry access invocations of the inference: owner spans and the batched write, per curated object. */
    readonly inferenceRegistryCalls: number;
    /** Registry access invocations of the transform: the batch's device certificates (deviceKeyLookups). */
    readonly deviceKeyLookups: number;
    readonly transformInvocations: number;
    /** Rows the registry gains per month, by table. */
    readonly registryRows: { readonly finding: number; readonly streamObject: number; readonly detectorDay: number };
}

/** Seconds a Firehose buffer takes to fill with `bytesPerSecond`, capped by its interval. */
function objectsPerMonth(bytesPerMonth: number, bufferMiB: number, bufferSeconds: number): number {
    return Math.max(SECONDS_PER_MONTH / Math.max(bufferSeconds, 1), bytesPerMonth / (bufferMiB * MIB));
}

/** Projects sending telemetry: each client's few, never more than there are detectors. */
export function projectsOf(usage: Usage): number {
    return Math.min(usage.clients * PROJECTS_PER_CLIENT, usage.detectors);
}

/**
 * Findings objects one curated object makes: one per (client, project, UTC hour) it holds. An
 * object spanning `objectSeconds` crosses an hour boundary with probability objectSeconds / 3600,
 * and then splits in two.
 */
export function findingsObjectsPerCuratedObject(projects: number, objectSeconds: number): number {
    return projects * (1 + Math.min(objectSeconds, FINDING_PERIOD_SECONDS) / FINDING_PERIOD_SECONDS);
}

/**
 * Registry calls the transform makes for device certificates over `seconds` in `invocations`
 * batches: one per batch holding a thing its container has not fetched within the key TTL
 * (functions/realtime/handler.ts). A detector that puts less often than the TTL is never cached
 * at its next put, and over a window of at most one put interval every detector is seen for the
 * first time: then every batch calls. Otherwise a warm container refetches about once per TTL.
 */
export function deviceKeyLookups(invocations: number, putIntervalSeconds: number, seconds: number): number {
    const everyBatch = putIntervalSeconds >= DEVICE_KEY_TTL_SECONDS || seconds <= putIntervalSeconds;
    return everyBatch ? invocations : Math.min(invocations, seconds / DEVICE_KEY_TTL_SECONDS);
}

/** Only the buffers and whether inference runs shape the volumes. */
export function flow(design: Pick<Design, "firehose" | "endpoint">, usage: Usage): Flow {
    const readings = usage.detectors * SECONDS_PER_MONTH / READING_INTERVAL_SECONDS;
    const lineBytes = usage.bytesPerSecondPerDetector + NEWLINE_BYTES;
    const records = readings / usage.readingsPerRecord;
    const plainRecordBytes = usage.readingsPerRecord * lineBytes;
    const recordBytes = usage.recordGzipRatio === undefined ? plainRecordBytes : Math.ceil(plainRecordBytes * usage.recordGzipRatio);
    const rawBytes = readings * lineBytes;
    const sentBytes = records * recordBytes;
    const compression = design.firehose?.compressed === false ? 1 : usage.compressionRatio;
    const buffer = design.firehose ?? { bufferMiB: 64, bufferSeconds: 900 };
    // Firehose applies its buffer size before compression: raw/ fills with what was sent, curated/ with CSV.
    const curatedBytes = readings * CSV_BYTES_PER_READING;
    const rawObjects = objectsPerMonth(sentBytes, buffer.bufferMiB, buffer.bufferSeconds);
    const curatedObjects = objectsPerMonth(curatedBytes, buffer.bufferMiB, buffer.bufferSeconds);
    const inference = design.endpoint !== undefined;
    const findingsObjects = inference ? curatedObjects * findingsObjectsPerCuratedObject(projectsOf(usage), SECONDS_PER_MONTH / curatedObjects) : 0;
    const inferenceInvocations = inference ? curatedObjects : 0;
    const chunksPerObject = Math.ceil(readings / curatedObjects / ROWS_PER_CHUNK);
    const spanCalls = Math.ceil(usage.detectors / REGISTRY_SERIALS_PER_CALL);
    const transformBatchBytes = (design.firehose?.transformBatchMb ?? 3) * MB;
    const transformInvocations = design.firehose ? Math.max(sentBytes / transformBatchBytes, SECONDS_PER_MONTH / TRANSFORM_BATCH_SECONDS) : 0;
    return {
        readings,
        records,
        recordBytes,
        rawBytes,
        sentBytes,
        firehoseBilledGb: records * Math.ceil(recordBytes / FIREHOSE_BILLING_UNIT_BYTES) * FIREHOSE_BILLING_UNIT_BYTES / GB,
        // A record the detector already gzipped does not shrink again.
        rawStoredBytes: usage.recordGzipRatio === undefined ? sentBytes * compression : sentBytes,
        curatedBytes,
        curatedStoredBytes: curatedBytes * compression,
        findingsBytes: inference ? readings * FINDINGS_BYTES_PER_ROW * usage.compressionRatio : 0,
        rawObjects,
        curatedObjects,
        findingsObjects,
        inferenceInvocations,
        endpointRequests: inference ? curatedObjects * chunksPerObject : 0,
        inferenceRegistryCalls: inference ? curatedObjects * (spanCalls + Math.ceil(usage.detectors / REGISTRY_DAYS_PER_CALL)) : 0,
        deviceKeyLookups: deviceKeyLookups(transformInvocations, usage.readingsPerRecord * READING_INTERVAL_SECONDS, SECONDS_PER_MONTH),
        transformInvocations,
        registryRows: {
            finding: findingsObjects,
            streamObject: inference ? curatedObjects : 0,
            detectorDay: inference ? usage.detectors * DAYS_PER_MONTH : 0,
        },
    };
}

/** Registry growth a month, GB (data + indexes). */
export function registryGrowthGb(f: Flow): number {
    const r = f.registryRows;
    return (r.finding * REGISTRY_BYTES_PER_ROW.finding + r.streamObject * REGISTRY_BYTES_PER_ROW.streamObject + r.detectorDay * REGISTRY_BYTES_PER_ROW.detectorDay) / GB;
}

/** The region a line's prices came from. */
export function regionOf(...ids: PriceId[]): string {
    return [...new Set(ids.map((id) => PRICES[id].region))].sort().join("+");
}

type StorageClass = "standard" | "standardIa" | "glacier" | "deepArchive" | "expired";

function rawClass(age: number, lc: Lifecycle): StorageClass {
    if (!lc.enabled) return "standard";
    if (lc.expireDays > 0 && age >= lc.expireDays) return "expired";
    if (age >= lc.rawToDeepArchiveDays) return "deepArchive";
    if (age >= lc.rawToGlacierDays) return "glacier";
    return "standard";
}

function curatedClass(age: number, lc: Lifecycle): StorageClass {
    if (!lc.enabled) return "standard";
    if (lc.expireDays > 0 && age >= lc.expireDays) return "expired";
    if (age >= lc.curatedToGlacierDays) return "glacier";
    if (age >= lc.curatedToInfrequentAccessDays) return "standardIa";
    return "standard";
}

function findingsClass(age: number, lc: Lifecycle): StorageClass {
    return lc.enabled && age >= (lc.findingsToInfrequentAccessDays ?? Infinity) ? "standardIa" : "standard";
}

const STORAGE_PRICE_ID: Record<Exclude<StorageClass, "expired">, PriceId> = {
    standard: "s3.standardGbMonth",
    standardIa: "s3.standardIaGbMonth",
    glacier: "s3.glacierGbMonth",
    deepArchive: "s3.deepArchiveGbMonth",
};
const TRANSITION_PRICE_ID: Partial<Record<StorageClass, PriceId>> = {
    standardIa: "s3.transitionToIa",
    glacier: "s3.transitionToGlacier",
    deepArchive: "s3.transitionToDeepArchive",
};
const CLASS_NAMES: Record<Exclude<StorageClass, "expired">, string> = {
    standard: "Standard", standardIa: "Standard-IA", glacier: "Glacier Flexible Retrieval", deepArchive: "Glacier Deep Archive",
};

export interface Cohort { readonly bytes: number; readonly objects: number; readonly classOf: (age: number) => StorageClass }

/**
 * Storage, archive overhead and transitions in `month` for every monthly cohort written so far.
 * The current month's cohort is there for half the month on average; objects under 128 KB
 * never transition (lifecycle's default minimum size).
 */
export function storageLines(month: number, cohorts: readonly Cohort[]): { lines: CostLine[]; storedGb: number } {
    const gbByClass = new Map<Exclude<StorageClass, "expired">, number>();
    const overhead = { glacier: 0, deepArchive: 0 };
    const transitions = new Map<StorageClass, number>();
    for (let written = 1; written <= month; written++) {
        const share = written === month ? 0.5 : 1;
        const age = (month - written + 0.5) * DAYS_PER_MONTH;
        const previousAge = age - DAYS_PER_MONTH;
        for (const c of cohorts) {
            if (c.bytes <= 0) continue;
            const small = c.bytes / c.objects < MIN_TRANSITION_OBJECT_BYTES;
            const classAt = (a: number) => (small ? (c.classOf(a) === "expired" ? "expired" : "standard") : c.classOf(a));
            const cls = classAt(age);
            if (cls === "expired") continue;
            gbByClass.set(cls, (gbByClass.get(cls) ?? 0) + share * c.bytes / GB);
            if (cls === "glacier" || cls === "deepArchive") overhead[cls] += share * c.objects;
            if (previousAge > 0 && classAt(previousAge) !== cls && TRANSITION_PRICE_ID[cls]) transitions.set(cls, (transitions.get(cls) ?? 0) + c.objects);
        }
    }
    const lines: CostLine[] = [...gbByClass].map(([cls, gb]) => ({
        service: "S3", item: `storage ${CLASS_NAMES[cls]}`, quantity: gb, unit: "GB-month", usd: gb * price(STORAGE_PRICE_ID[cls]), region: regionOf(STORAGE_PRICE_ID[cls]),
    }));
    for (const cls of ["glacier", "deepArchive"] as const) {
        if (overhead[cls] <= 0) continue;
        const usd = overhead[cls] * (ARCHIVE_OVERHEAD_STANDARD_BYTES / GB * price("s3.standardGbMonth") + ARCHIVE_OVERHEAD_ARCHIVE_BYTES / GB * price(STORAGE_PRICE_ID[cls]));
        lines.push({ service: "S3", item: `${CLASS_NAMES[cls]} per-object overhead (8 KB + 32 KB)`, quantity: overhead[cls], unit: "objects", usd, region: regionOf("s3.standardGbMonth", STORAGE_PRICE_ID[cls]) });
    }
    for (const [cls, objects] of transitions) {
        const id = TRANSITION_PRICE_ID[cls]!;
        lines.push({ service: "S3", item: `lifecycle transitions to ${CLASS_NAMES[cls as Exclude<StorageClass, "expired">]}`, quantity: objects, unit: "objects", usd: objects * price(id), region: regionOf(id) });
    }
    return { lines, storedGb: [...gbByClass.values()].reduce((a, b) => a + b, 0) };
}

function lambdaLine(item: string, invocations: number, seconds: number, memoryMb: number | undefined): CostLine[] {
    if (memoryMb === undefined || invocations <= 0) return [];
    const gbSeconds = invocations * seconds * memoryMb / 1024;
    return [{
        service: "Lambda", item, quantity: invocations, unit: "invocations",
        usd: invocations * price("lambda.request") + gbSeconds * price("lambda.arm64GbSecond"), region: regionOf("lambda.request", "lambda.arm64GbSecond"),
    }];
}

function line(service: string, item: string, quantity: number, unit: string, id: PriceId, unitUsd = price(id)): CostLine[] {
    return quantity > 0 ? [{ service, item, quantity, unit, usd: quantity * unitUsd, region: regionOf(id) }] : [];
}

export function streamLines(design: Design, usage: Usage, f: Flow): CostLine[] {
    if (!design.stream) return [];
    // Per producer credential (each detector: every ~5 minutes or every put, whichever is rarer) and the Firehose consumer.
    const producerCalls = usage.detectors * kmsRequestsPerProducerMonth(f.records / usage.detectors);
    const kms = design.stream.encrypted === false ? [] : line("KMS", "requests (stream data keys, per producer credential)", producerCalls + KMS_REQUESTS_PER_CREDENTIAL_MONTH, "requests", "kms.request");
    if (design.stream.mode === "ON_DEMAND") {
        const inGb = f.records * Math.ceil(f.recordBytes / KINESIS_ON_DEMAND_UNIT_BYTES) * KINESIS_ON_DEMAND_UNIT_BYTES / GB;
        return [
            ...line("Kinesis", "on-demand stream-hours", HOURS_PER_MONTH, "hours", "kinesis.onDemandStreamHour"),
            ...line("Kinesis", "on-demand data in (records rounded up to 1 KB)", inGb, "GB", "kinesis.onDemandIngestGb"),
            ...line("Kinesis", "on-demand data out (Firehose)", inGb, "GB", "kinesis.onDemandRetrievalGb"),
            ...kms,
        ];
    }
    const units = f.records * Math.ceil(f.recordBytes / KINESIS_PUT_UNIT_BYTES);
    return [
        ...line("Kinesis", "shard-hours", design.stream.shards * HOURS_PER_MONTH, "shard-hours", "kinesis.shardHour"),
        ...line("Kinesis", "PUT payload units (25 KB)", units, "units", "kinesis.putPayloadUnit"),
        ...kms,
    ];
}

/** Seconds one transform invocation takes when `invocations` share `rawBytes` of telemetry. */
export function transformSeconds(rawBytes: number, invocations: number): number {
    return LAMBDA_BASE_SECONDS + TRANSFORM_SECONDS_PER_MIB * (rawBytes / MIB) / Math.max(invocations, 1);
}

/** Seconds of endpoint time one chunk takes (and the inference Lambda waits for it). */
export function chunkSeconds(rows: number): number {
    return ENDPOINT_REQUEST_SECONDS + rows / SERVERLESS_ROWS_PER_SECOND;
}

function endpointLines(design: Design, f: Flow): CostLine[] {
    const e = design.endpoint;
    if (!e) return [];
    if (e.kind === "instance") {
        const hours = e.count * HOURS_PER_MONTH;
        return [{ service: "SageMaker", item: `${e.instanceType} always on`, quantity: hours, unit: "instance-hours", usd: hours * instanceHour("sagemaker", e.instanceType), region: regionOf(`sagemaker.instanceHour.${e.instanceType}` as PriceId) }];
    }
    const seconds = f.readings / SERVERLESS_ROWS_PER_SECOND + f.endpointRequests * ENDPOINT_REQUEST_SECONDS;
    const dataGb = f.readings * (FEATURE_BYTES_PER_ROW + SCORE_BYTES_PER_ROW) / GB;
    return [
        ...line("SageMaker", `serverless compute ${e.memoryMb} MB`, seconds, "seconds", "sagemaker.serverlessPerGbSecond", (e.memoryMb / 1024) * price("sagemaker.serverlessPerGbSecond")),
        ...line("SageMaker", "serverless data processed (in + out)", dataGb, "GB", "sagemaker.serverlessDataGb"),
    ];
}

/** One curated object as the inference sees it: rows, CSV bytes before gzip, findings objects it writes. */
export interface CuratedObjectLoad { readonly rows: number; readonly csvBytes: number; readonly findingsObjects: number }

/** Wall time of one inference invocation: CPU, chunks in waves of the endpoint's concurrency, registry and PUT awaits. */
export function inferenceObjectSeconds(design: Design, load: CuratedObjectLoad): number {
    const chunks = Math.ceil(load.rows / ROWS_PER_CHUNK);
    const concurrency = design.endpoint?.kind === "serverless" ? design.endpoint.maxConcurrency ?? 5 : 4;
    const waves = Math.ceil(chunks / concurrency);
    const cpu = INFERENCE_SECONDS_PER_MIB_CSV * load.csvBytes / MIB;
    const puts = Math.ceil(load.findingsObjects / FINDINGS_PUT_CONCURRENCY) * FINDINGS_PUT_SECONDS;
    // Owner spans (all calls in parallel) then the batched write: two round trips in sequence.
    const registry = REGISTRY_CALLS_PER_OBJECT * REGISTRY_ROUND_TRIP_SECONDS;
    return LAMBDA_BASE_SECONDS + cpu + waves * chunkSeconds(Math.min(load.rows, ROWS_PER_CHUNK)) + puts + registry;
}

/** Wall time of one inference invocation on the month's average curated object. */
export function inferenceSeconds(design: Design, f: Flow): number {
    if (f.inferenceInvocations === 0) return 0;
    return inferenceObjectSeconds(design, { rows: f.readings / f.curatedObjects, csvBytes: f.curatedBytes / f.curatedObjects, findingsObjects: f.findingsObjects / f.curatedObjects });
}

/** Registry size in `month`: what it held at deploy time plus every month's growth so far. */
export function registryGb(f: Flow, month: number): number {
    return REGISTRY_BASE_GB + registryGrowthGb(f) * month;
}

function fixedLines(design: Design, usage: Usage, f: Flow, invocations: number, month: number): CostLine[] {
    const lines: CostLine[] = [];
    if (design.rds) {
        const az = design.rds.multiAz ? 2 : 1;
        const id = `rds.instanceHour.${design.rds.instanceClass}` as PriceId;
        lines.push(...line("RDS", `${design.rds.instanceClass}${az === 2 ? " multi-AZ (primary + standby)" : ""}`, az * HOURS_PER_MONTH, "instance-hours", id, instanceHour("rds", design.rds.instanceClass)));
        // Storage autoscaling grows the volume with the registry; both AZs hold a copy.
        const gb = Math.max(design.rds.storageGb, Math.ceil(registryGb(f, month)));
        lines.push(...line("RDS", "gp3 storage", az * gb, "GB-month", "rds.gp3GbMonth"));
    }
    lines.push(...line("API Gateway", "HTTP API requests", usage.apiCallsPerMonth, "requests", "apigateway.httpRequest"));
    // One publish per alert (messages are filtered per client), one e-mail delivery per publish.
    lines.push(...line("SNS", "alert publishes", usage.clients * ALERT_EMAILS_PER_CLIENT_PER_MONTH, "publishes", "sns.publish"));
    lines.push(...line("SNS", "alert e-mails", usage.clients * ALERT_EMAILS_PER_CLIENT_PER_MONTH, "e-mails", "sns.email"));
    lines.push(...line("KMS", "customer managed keys", design.kmsKeys, "key-months", "kms.keyMonth"));
    lines.push(...line("KMS", "requests (S3 bucket keys)", (f.rawObjects + f.curatedObjects + f.findingsObjects) * KMS_REQUESTS_PER_OBJECT_WITH_BUCKET_KEY, "requests", "kms.request"));
    if (design.findingsDataEvents) lines.push(...line("CloudTrail", "data events (finding downloads)", usage.apiCallsPerMonth * DOWNLOAD_SHARE_OF_API_CALLS, "events", "cloudtrail.dataEvent"));
    lines.push(...line("CloudWatch", "alarms", design.alarms, "alarm-months", "cloudwatch.alarmMonth"));
    lines.push(...line("CloudWatch", "dashboards beyond the 3 free", Math.max(0, design.dashboards - 3), "dashboard-months", "cloudwatch.dashboardMonth"));
    lines.push(...line("CloudWatch", "custom metrics", design.customMetrics, "metric-months", "cloudwatch.customMetricMonth"));
    lines.push(...line("CloudWatch", "log ingestion", (invocations * LOG_BYTES_PER_INVOCATION + usage.apiCallsPerMonth * ACCESS_LOG_BYTES_PER_CALL) / GB, "GB", "cloudwatch.logIngestGb"));
    lines.push(...line("Secrets Manager", "secrets", design.secrets, "secret-months", "secretsmanager.secretMonth"));
    lines.push(...line("VPC", "interface endpoints", design.interfaceEndpointAzs * HOURS_PER_MONTH, "endpoint-AZ-hours", "vpc.interfaceEndpointAzHour"));
    lines.push(...line("VPC", "NAT gateway hours", design.natGateways * HOURS_PER_MONTH, "hours", "vpc.natGatewayHour"));
    // Without endpoints, the VPC Lambdas' S3 and SageMaker traffic (curated CSV in, findings out) crosses the NAT.
    lines.push(...line("VPC", "NAT gateway data processed", design.natGateways > 0 ? (f.readings * (CSV_BYTES_PER_READING + FINDINGS_BYTES_PER_ROW)) / GB : 0, "GB", "vpc.natGatewayGb"));
    return lines;
}

export function cohorts(design: Design, f: Flow): Cohort[] {
    const lc = design.lifecycle;
    return [
        { bytes: f.rawStoredBytes, objects: f.rawObjects, classOf: (a) => rawClass(a, lc) },
        { bytes: f.curatedStoredBytes, objects: f.curatedObjects, classOf: (a) => curatedClass(a, lc) },
        { bytes: f.findingsBytes, objects: Math.max(f.findingsObjects, 1), classOf: (a) => findingsClass(a, lc) },
    ];
}

export function total(lines: readonly CostLine[]): number {
    return lines.reduce((s, l) => s + l.usd, 0);
}

/** The cost of month `month` (1 = the first month of data). */
export function estimateMonth(design: Design, usage: Usage, month: number): MonthEstimate {
    const f = flow(design, usage);
    const lambdas = [
        ...lambdaLine("transform (Firehose)", f.transformInvocations, transformSeconds(f.rawBytes, f.transformInvocations), design.lambdaMemoryMb.transform),
        ...lambdaLine("inference", f.inferenceInvocations, inferenceSeconds(design, f), design.lambdaMemoryMb.inference),
        ...lambdaLine("registry access (2 calls per curated object, device keys per transform batch)", f.inferenceRegistryCalls + f.deviceKeyLookups, LAMBDA_BASE_SECONDS, design.lambdaMemoryMb.registryAccess),
        ...lambdaLine("client API", usage.apiCallsPerMonth, API_SECONDS_PER_CALL, design.lambdaMemoryMb.api),
        ...lambdaLine("scheduled checks", design.scheduledRunsPerMonth, LAMBDA_BASE_SECONDS * 5, design.lambdaMemoryMb.scheduled),
    ];
    const invocations = lambdas.reduce((n, l) => n + l.quantity, 0);
    const storage = storageLines(month, cohorts(design, f));
    const lines: CostLine[] = [
        ...streamLines(design, usage, f),
        ...(design.firehose ? line("Firehose", "ingestion (records rounded up to 5 KB)", f.firehoseBilledGb, "GB billed", "firehose.ingestGb") : []),
        ...storage.lines,
        ...(design.firehose ? line("S3", "PUT requests raw/ + curated/ (Firehose)", f.rawObjects + f.curatedObjects, "requests", "s3.putRequest") : []),
        ...line("S3", "PUT requests findings/", f.findingsObjects, "requests", "s3.putRequest"),
        ...lambdas,
        ...endpointLines(design, f),
        ...fixedLines(design, usage, f, invocations, month),
    ];
    const target = PRICES_TARGET_REGION;
    return {
        month, lines, totalUsd: total(lines), storedGb: storage.storedGb,
        unconfirmedUsd: total(lines.filter((l) => l.region !== target)),
    };
}


export interface Estimate {
    readonly usage: Usage;
    /** The first month, broken down by service. */
    readonly breakdown: { service: string; usd: number }[];
    readonly firstMonth: MonthEstimate;
    readonly lastMonth: MonthEstimate;
    readonly perDetectorUsd: number;
    /** Month by month as data accumulates and moves down the storage classes. */
    readonly months: { month: number; totalUsd: number; storedGb: number }[];
    readonly peakMonthUsd: number;
}

export function estimate(design: Design, usage: Usage, months = 12): Estimate {
    if (!(months >= 1 && Number.isInteger(months))) throw new Error(`months must be a whole number >= 1, got ${months}`);
    const view = Array.from({ length: months }, (_, i) => estimateMonth(design, usage, i + 1));
    const first = view[0];
    const byService = new Map<string, number>();
    for (const l of first.lines) byService.set(l.service, (byService.get(l.service) ?? 0) + l.usd);
    return {
        usage,
        breakdown: [...byService].map(([service, usd]) => ({ service, usd })).sort((a, b) => b.usd - a.usd),
        firstMonth: first,
        lastMonth: view[view.length - 1],
        perDetectorUsd: first.totalUsd / usage.detectors,
        months: view.map((m) => ({ month: m.month, totalUsd: m.totalUsd, storedGb: m.storedGb })),
        peakMonthUsd: Math.max(...view.map((m) => m.totalUsd)),
    };
}
