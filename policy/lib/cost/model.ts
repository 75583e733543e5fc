/**
 * The monthly cost of a design under a usage profile: pure arithmetic over the price table.
 * `design.ts` reads the design from the resources the program declares; this module never
 * looks at Pulumi. Every assumption that is not a price is a named constant with its reason.
 */
import { price, instanceHour } from "./prices";

export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
const DAYS_PER_MONTH = 365 / 12;
const GB = 1024 ** 3;
const MIB = 1024 ** 2;
const KB = 1024;

/** Detectors emit one reading a second; at ~1 KB/s a reading is ~1 KB of JSON. */
export const READING_INTERVAL_SECONDS = 1;
/** Curated CSV row: detector_id, timestamp, seq and 8 features (measured on generated readings). */
export const CSV_BYTES_PER_READING = 110;
/** The model's input row (8 features, no ids) and its output (one score per line). */
const FEATURE_BYTES_PER_ROW = 60;
const SCORE_BYTES_PER_ROW = 8;
/** A findings row carries the ids and the score. */
const FINDINGS_BYTES_PER_ROW = 70;
/** Kinesis bills PUT payload units of 25 KB; on-demand rounds each record to 1 KB; Firehose to 5 KB. */
const KINESIS_PUT_UNIT_BYTES = 25 * KB;
const KINESIS_ON_DEMAND_UNIT_BYTES = KB;
const FIREHOSE_BILLING_UNIT_BYTES = 5 * KB;
/** Firehose invokes a transform Lambda per 1 MB or 60 s of data (its processor defaults). */
const TRANSFORM_BATCH_MIB = 1;
const TRANSFORM_BATCH_SECONDS = 60;
/** Transform and inference handler time per MB at their memory sizes (scaled from `npm run bench`, arm64 fractional vCPU). */
const TRANSFORM_SECONDS_PER_MIB = 0.25;
const INFERENCE_LAMBDA_SECONDS_PER_MIB_CSV = 2;
/** Lambda's floor per invocation (cold paths, S3/registry round trips). */
const LAMBDA_BASE_SECONDS = 0.1;
/** Rows a serverless endpoint container scores per second with the sample scikit-learn model (order of magnitude). */
const SERVERLESS_ROWS_PER_SECOND = 50_000;
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
const ARCHIVE_OVERHEAD_STANDARD_BYTES = 8 * KB;
const ARCHIVE_OVERHEAD_ARCHIVE_BYTES = 32 * KB;
/** S3 bucket keys cut KMS requests per object by ~99% (one data key per bucket key lifetime). */
const KMS_REQUESTS_PER_OBJECT_WITH_BUCKET_KEY = 0.01;
/** A KMS-encrypted stream asks KMS for a data key about every 5 minutes per shard. */
const KMS_REQUESTS_PER_SHARD_MONTH = (SECONDS_PER_MONTH / 300);

export interface Usage {
    readonly detectors: number;
    readonly bytesPerSecondPerDetector: number;
    readonly readingsPerRecord: number;
    readonly compressionRatio: number;
    readonly clients: number;
    readonly apiCallsPerMonth: number;
}

export interface Lifecycle {
    /** false: everything stays in S3 Standard (the seed's straightforward design). */
    readonly enabled: boolean;
    readonly rawToGlacierDays: number;
    readonly rawToDeepArchiveDays: number;
    readonly curatedToInfrequentAccessDays: number;
    readonly curatedToGlacierDays: number;
    /** 0 keeps data forever. */
    readonly expireDays: number;
}

export type Endpoint =
    | { readonly kind: "serverless"; readonly memoryMb: number }
    | { readonly kind: "instance"; readonly instanceType: string; readonly count: number };

export interface Design {
    readonly stream?: { readonly mode: "PROVISIONED" | "ON_DEMAND"; readonly shards: number };
    readonly firehose?: { readonly bufferMiB: number; readonly bufferSeconds: number; readonly compressed: boolean };
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
}

export interface MonthEstimate {
    readonly month: number;
    readonly lines: CostLine[];
    readonly totalUsd: number;
    readonly storedGb: number;
}

/** Volumes one month of telemetry produces; shared by the estimate and capacity planning. */
export interface Flow {
    readonly readings: number;
    readonly records: number;
    readonly recordBytes: number;
    readonly rawBytes: number;
    readonly firehoseBilledGb: number;
    readonly rawStoredBytes: number;
    readonly curatedStoredBytes: number;
    readonly findingsBytes: number;
    /** Objects Firehose writes per month to curated/ (the raw/ backup writes as many). */
    readonly firehoseObjects: number;
    readonly findingsObjects: number;
}

export function flow(design: Design, usage: Usage): Flow {
    const readings = usage.detectors * SECONDS_PER_MONTH / READING_INTERVAL_SECONDS;
    const readingBytes = usage.bytesPerSecondPerDetector * READING_INTERVAL_SECONDS;
    const records = readings / usage.readingsPerRecord;
    const recordBytes = usage.readingsPerRecord * readingBytes;
    const rawBytes = readings * readingBytes;
    const compression = design.firehose?.compressed === false ? 1 : usage.compressionRatio;
    const buffer = design.firehose ?? { bufferMiB: 64, bufferSeconds: 900 };
    const firehoseObjects = Math.max(SECONDS_PER_MONTH / Math.max(buffer.bufferSeconds, 60), rawBytes / (buffer.bufferMiB * MIB));
    return {
        readings,
        records,
        recordBytes,
        rawBytes,
        firehoseBilledGb: records * Math.ceil(recordBytes / FIREHOSE_BILLING_UNIT_BYTES) * FIREHOSE_BILLING_UNIT_BYTES / GB,
        rawStoredBytes: rawBytes * compression,
        curatedStoredBytes: readings * CSV_BYTES_PER_READING * compression,
        findingsBytes: design.endpoint ? readings * FINDINGS_BYTES_PER_ROW : 0,
        firehoseObjects,
        // Inference writes one findings object per detector present in each curated object.
        findingsObjects: design.endpoint ? firehoseObjects * usage.detectors : 0,
    };
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

const STORAGE_PRICE: Record<Exclude<StorageClass, "expired">, number> = {
    standard: price("s3.standardGbMonth"),
    standardIa: price("s3.standardIaGbMonth"),
    glacier: price("s3.glacierGbMonth"),
    deepArchive: price("s3.deepArchiveGbMonth"),
};
const TRANSITION_PRICE: Partial<Record<StorageClass, number>> = {
    standardIa: price("s3.transitionToIa"),
    glacier: price("s3.transitionToGlacier"),
    deepArchive: price("s3.transitionToDeepArchive"),
};

/** Storage, archive overhead and transitions in `month` for every monthly cohort written so far. */
function storageLines(month: number, f: Flow, lc: Lifecycle): { lines: CostLine[]; storedGb: number } {
    const gbByClass = new Map<StorageClass, number>();
    let overheadUsd = 0;
    let transitions = 0;
    let transitionUsd = 0;
    const cohorts: { bytes: number; objects: number; classOf: (age: number) => StorageClass }[] = [
        { bytes: f.rawStoredBytes, objects: f.firehoseObjects, classOf: (a) => rawClass(a, lc) },
        { bytes: f.curatedStoredBytes, objects: f.firehoseObjects, classOf: (a) => curatedClass(a, lc) },
        { bytes: f.findingsBytes, objects: f.findingsObjects, classOf: (a) => curatedClass(a, lc) },
    ];
    for (let written = 1; written <= month; written++) {
        const age = (month - written + 0.5) * DAYS_PER_MONTH;
        const previousAge = age - DAYS_PER_MONTH;
        for (const c of cohorts) {
            const cls = c.classOf(age);
            if (cls === "expired") continue;
            gbByClass.set(cls, (gbByClass.get(cls) ?? 0) + c.bytes / GB);
            if (cls === "glacier" || cls === "deepArchive") {
                overheadUsd += c.objects * (ARCHIVE_OVERHEAD_STANDARD_BYTES / GB * STORAGE_PRICE.standard + ARCHIVE_OVERHEAD_ARCHIVE_BYTES / GB * STORAGE_PRICE[cls]);
            }
            if (previousAge > 0 && c.classOf(previousAge) !== cls && TRANSITION_PRICE[cls] !== undefined) {
                transitions += c.objects;
                transitionUsd += c.objects * TRANSITION_PRICE[cls]!;
            }
        }
    }
    const names: Record<string, string> = { standard: "Standard", standardIa: "Standard-IA", glacier: "Glacier Flexible Retrieval", deepArchive: "Glacier Deep Archive" };
    const lines: CostLine[] = [...gbByClass].map(([cls, gb]) => ({
        service: "S3", item: `storage ${names[cls]}`, quantity: gb, unit: "GB-month", usd: gb * STORAGE_PRICE[cls as Exclude<StorageClass, "expired">],
    }));
    if (overheadUsd > 0) lines.push({ service: "S3", item: "archive per-object overhead (8 KB + 32 KB)", quantity: 1, unit: "month", usd: overheadUsd });
    if (transitions > 0) lines.push({ service: "S3", item: "lifecycle transitions", quantity: transitions, unit: "objects", usd: transitionUsd });
    const storedGb = [...gbByClass.values()].reduce((a, b) => a + b, 0);
    return { lines, storedGb };
}

function lambdaLine(item: string, invocations: number, seconds: number, memoryMb: number | undefined): CostLine[] {
    if (memoryMb === undefined || invocations <= 0) return [];
    const gbSeconds = invocations * seconds * memoryMb / 1024;
    return [{ service: "Lambda", item, quantity: invocations, unit: "invocations", usd: invocations * price("lambda.request") + gbSeconds * price("lambda.arm64GbSecond") }];
}

function streamLines(design: Design, f: Flow): CostLine[] {
    if (!design.stream) return [];
    if (design.stream.mode === "ON_DEMAND") {
        const inGb = f.records * Math.ceil(f.recordBytes / KINESIS_ON_DEMAND_UNIT_BYTES) * KINESIS_ON_DEMAND_UNIT_BYTES / GB;
        return [
            { service: "Kinesis", item: "on-demand stream-hours", quantity: HOURS_PER_MONTH, unit: "hours", usd: HOURS_PER_MONTH * price("kinesis.onDemandStreamHour") },
            { service: "Kinesis", item: "on-demand data in", quantity: inGb, unit: "GB", usd: inGb * price("kinesis.onDemandIngestGb") },
            { service: "Kinesis", item: "on-demand data out (Firehose)", quantity: inGb, unit: "GB", usd: inGb * price("kinesis.onDemandRetrievalGb") },
        ];
    }
    const units = f.records * Math.ceil(f.recordBytes / KINESIS_PUT_UNIT_BYTES);
    return [
        { service: "Kinesis", item: "shard-hours", quantity: design.stream.shards * HOURS_PER_MONTH, unit: "shard-hours", usd: design.stream.shards * HOURS_PER_MONTH * price("kinesis.shardHour") },
        { service: "Kinesis", item: "PUT payload units (25 KB)", quantity: units, unit: "units", usd: units * price("kinesis.putPayloadUnit") },
    ];
}

function endpointLines(design: Design, f: Flow): CostLine[] {
    const e = design.endpoint;
    if (!e) return [];
    if (e.kind === "instance") {
        const hours = e.count * HOURS_PER_MONTH;
        return [{ service: "SageMaker", item: `${e.instanceType} always on`, quantity: hours, unit: "instance-hours", usd: hours * instanceHour("sagemaker", e.instanceType) }];
    }
    const seconds = f.readings / SERVERLESS_ROWS_PER_SECOND;
    const dataGb = f.readings * (FEATURE_BYTES_PER_ROW + SCORE_BYTES_PER_ROW) / GB;
    return [
        { service: "SageMaker", item: `serverless compute ${e.memoryMb} MB`, quantity: seconds, unit: "seconds", usd: seconds * (e.memoryMb / 1024) * price("sagemaker.serverlessPerGbSecond") },
        { service: "SageMaker", item: "serverless data processed", quantity: dataGb, unit: "GB", usd: dataGb * price("sagemaker.serverlessDataGb") },
    ];
}

function fixedLines(design: Design, usage: Usage, f: Flow, invocations: number): CostLine[] {
    const lines: CostLine[] = [];
    const add = (service: string, item: string, quantity: number, unit: string, unitUsd: number): void => {
        if (quantity > 0) lines.push({ service, item, quantity, unit, usd: quantity * unitUsd });
    };
    if (design.rds) {
        const az = design.rds.multiAz ? 2 : 1;
        add("RDS", `${design.rds.instanceClass}${az === 2 ? " multi-AZ" : ""}`, az * HOURS_PER_MONTH, "instance-hours", instanceHour("rds", design.rds.instanceClass));
        add("RDS", "gp3 storage", az * design.rds.storageGb, "GB-month", price("rds.gp3GbMonth"));
    }
    add("API Gateway", "HTTP API requests", usage.apiCallsPerMonth, "requests", price("apigateway.httpRequest"));
    add("SNS", "alert e-mails", usage.clients * ALERT_EMAILS_PER_CLIENT_PER_MONTH, "e-mails", price("sns.email"));
    add("KMS", "customer managed keys", design.kmsKeys, "key-months", price("kms.keyMonth"));
    add("KMS", "requests (S3 bucket keys, stream data keys)", (2 * f.firehoseObjects + f.findingsObjects) * KMS_REQUESTS_PER_OBJECT_WITH_BUCKET_KEY + (design.stream?.shards ?? 0) * KMS_REQUESTS_PER_SHARD_MONTH, "requests", price("kms.request"));
    if (design.findingsDataEvents) add("CloudTrail", "data events (finding downloads)", usage.apiCallsPerMonth * DOWNLOAD_SHARE_OF_API_CALLS, "events", price("cloudtrail.dataEvent"));
    add("CloudWatch", "alarms", design.alarms, "alarm-months", price("cloudwatch.alarmMonth"));
    add("CloudWatch", "dashboards beyond the 3 free", Math.max(0, design.dashboards - 3), "dashboard-months", price("cloudwatch.dashboardMonth"));
    add("CloudWatch", "custom metrics", design.customMetrics, "metric-months", price("cloudwatch.customMetricMonth"));
    add("CloudWatch", "log ingestion", (invocations * LOG_BYTES_PER_INVOCATION + usage.apiCallsPerMonth * ACCESS_LOG_BYTES_PER_CALL) / GB, "GB", price("cloudwatch.logIngestGb"));
    add("Secrets Manager", "secrets", design.secrets, "secret-months", price("secretsmanager.secretMonth"));
    add("VPC", "interface endpoints", design.interfaceEndpointAzs * HOURS_PER_MONTH, "endpoint-AZ-hours", price("vpc.interfaceEndpointAzHour"));
    add("VPC", "NAT gateway hours", design.natGateways * HOURS_PER_MONTH, "hours", price("vpc.natGatewayHour"));
    // Without endpoints, the VPC Lambdas' S3 and SageMaker traffic (curated CSV in, findings out) crosses the NAT.
    add("VPC", "NAT gateway data processed", design.natGateways > 0 ? (f.readings * (CSV_BYTES_PER_READING + FINDINGS_BYTES_PER_ROW)) / GB : 0, "GB", price("vpc.natGatewayGb"));
    return lines;
}

/** The cost of month `month` (1 = the first month of data). */
export function estimateMonth(design: Design, usage: Usage, month: number): MonthEstimate {
    const f = flow(design, usage);
    const curatedMib = f.readings * CSV_BYTES_PER_READING / MIB;
    const transformInvocations = design.firehose ? Math.max(f.rawBytes / MIB / TRANSFORM_BATCH_MIB, SECONDS_PER_MONTH / TRANSFORM_BATCH_SECONDS) : 0;
    const inferenceInvocations = design.endpoint ? f.firehoseObjects : 0;
    const lambdas = [
        ...lambdaLine("transform (Firehose)", transformInvocations, LAMBDA_BASE_SECONDS + TRANSFORM_SECONDS_PER_MIB * (f.rawBytes / MIB) / Math.max(transformInvocations, 1), design.lambdaMemoryMb.transform),
        ...lambdaLine("inference", inferenceInvocations, LAMBDA_BASE_SECONDS + INFERENCE_LAMBDA_SECONDS_PER_MIB_CSV * curatedMib / Math.max(inferenceInvocations, 1), design.lambdaMemoryMb.inference),
        ...lambdaLine("registry access", inferenceInvocations, LAMBDA_BASE_SECONDS, design.lambdaMemoryMb.registryAccess),
        ...lambdaLine("client API", usage.apiCallsPerMonth, API_SECONDS_PER_CALL, design.lambdaMemoryMb.api),
        ...lambdaLine("scheduled checks", design.scheduledRunsPerMonth, LAMBDA_BASE_SECONDS * 5, design.lambdaMemoryMb.scheduled),
    ];
    const invocations = lambdas.reduce((n, l) => n + l.quantity, 0);
    const storage = storageLines(month, f, design.lifecycle);
    const puts = (design.firehose ? 2 * f.firehoseObjects : 0) + f.findingsObjects;
    const lines: CostLine[] = [
        ...streamLines(design, f),
        ...(design.firehose ? [{ service: "Firehose", item: "ingestion (records rounded up to 5 KB)", quantity: f.firehoseBilledGb, unit: "GB billed", usd: f.firehoseBilledGb * price("firehose.ingestGb") }] : []),
        ...storage.lines,
        ...(puts > 0 ? [{ service: "S3", item: "PUT requests", quantity: puts, unit: "requests", usd: puts * price("s3.putRequest") }] : []),
        ...lambdas,
        ...endpointLines(design, f),
        ...fixedLines(design, usage, f, invocations),
    ];
    return { month, lines, totalUsd: lines.reduce((s, l) => s + l.usd, 0), storedGb: storage.storedGb };
}

export interface Estimate {
    readonly usage: Usage;
    /** The first month, broken down by service. */
    readonly breakdown: { service: string; usd: number }[];
    readonly firstMonth: MonthEstimate;
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
        perDetectorUsd: first.totalUsd / usage.detectors,
        months: view.map((m) => ({ month: m.month, totalUsd: m.totalUsd, storedGb: m.storedGb })),
        peakMonthUsd: Math.max(...view.map((m) => m.totalUsd)),
    };
}
