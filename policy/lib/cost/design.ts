/**
 * Reads the cost-relevant design from the resources a program run declared (types and inputs),
 * so the estimate follows the program: change a shard count, an instance class or an alarm and
 * the cost moves with it. Also reads the usage profile from the stack's config.
 */
import { Design, Lifecycle, Usage, SECONDS_PER_MONTH } from "./model";
import { recordGzipRatio } from "./measured";

export interface DeclaredResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    /** Computed attributes where known (the mock run's fake state); used to find references by ARN. */
    readonly state?: Record<string, any>;
}

const T = {
    stream: "aws:kinesis/stream:Stream",
    firehose: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    fn: "aws:lambda/function:Function",
    rule: "aws:cloudwatch/eventRule:EventRule",
    target: "aws:cloudwatch/eventTarget:EventTarget",
    integration: "aws:apigatewayv2/integration:Integration",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    endpointConfig: "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
    rds: "aws:rds/instance:Instance",
    key: "aws:kms/key:Key",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
    secret: "aws:secretsmanager/secret:Secret",
    vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    nat: "aws:ec2/natGateway:NatGateway",
    trail: "aws:cloudtrail/trail:Trail",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
} as const;

/** A value's JSON text, searched for ARNs and prefixes (JSON escapes none of their characters). */
function text(value: unknown): string {
    return String(JSON.stringify(value));
}

function ofType(resources: readonly DeclaredResource[], type: string): DeclaredResource[] {
    return resources.filter((r) => r.type === type);
}

/** Functions whose ARN appears in the inputs of some resource matching `where`. */
function functionsReferencedBy(resources: readonly DeclaredResource[], where: (r: DeclaredResource) => boolean): DeclaredResource[] {
    const referrers = resources.filter(where).map((r) => text(r.inputs));
    return ofType(resources, T.fn).filter((fn) => {
        const arn = fn.state?.arn;
        return typeof arn === "string" && referrers.some((t) => t.includes(arn));
    });
}

/** Functions an EventBridge rule matching `where` targets. */
function targetsOf(resources: readonly DeclaredResource[], where: (rule: DeclaredResource) => boolean): DeclaredResource[] {
    const ruleNames = new Set(ofType(resources, T.rule).filter(where).map((r) => r.state?.name ?? r.name));
    const arns = new Set(ofType(resources, T.target).filter((t) => ruleNames.has(t.inputs.rule)).map((t) => t.inputs.arn));
    return ofType(resources, T.fn).filter((fn) => arns.has(fn.state?.arn));
}

/** The Lambda processor's BufferSizeInMBs (Firehose's default is 1 MB when the parameter is absent). */
function transformBatchMb(s3Config: any): number | undefined {
    const processors: any[] = s3Config?.processingConfiguration?.processors ?? [];
    const parameter = processors.flatMap((p) => p.parameters ?? []).find((p: any) => p.parameterName === "BufferSizeInMBs");
    return processors.length === 0 ? undefined : Number(parameter?.parameterValue ?? 1);
}

function maxMemory(fns: DeclaredResource[]): number | undefined {
    const sizes = fns.map((f) => Number(f.inputs.memorySize ?? 128));
    return sizes.length ? Math.max(...sizes) : undefined;
}

/** `rate(5 minutes)` -> runs a month; cron expressions are counted as hourly (an upper bound for ours). */
export function runsPerMonth(scheduleExpression: string): number {
    const m = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(scheduleExpression.trim());
    if (!m) return SECONDS_PER_MONTH / 3600;
    const seconds = Number(m[1]) * (m[2].startsWith("minute") ? 60 : m[2].startsWith("hour") ? 3600 : 86400);
    return SECONDS_PER_MONTH / seconds;
}

interface PrefixRule { prefix: string; transitions: { days: number; storageClass: string }[]; expirationDays?: number }

function lifecycleRules(resources: readonly DeclaredResource[]): PrefixRule[] {
    return ofType(resources, T.lifecycle).flatMap((lc) => (lc.inputs.rules ?? []).map((rule: any) => ({
        prefix: rule.filter?.prefix ?? rule.filter?.and?.prefix ?? rule.prefix ?? "",
        transitions: (rule.transitions ?? []).map((t: any) => ({ days: Number(t.days), storageClass: String(t.storageClass) })),
        expirationDays: rule.expiration?.days !== undefined ? Number(rule.expiration.days) : undefined,
    })));
}

function lifecycleFrom(resources: readonly DeclaredResource[]): Lifecycle {
    const rules = lifecycleRules(resources);
    const dayOf = (prefix: string, cls: string): number | undefined =>
        rules.find((r) => r.prefix === prefix)?.transitions.find((t) => t.storageClass === cls)?.days;
    const rawGlacier = dayOf("raw/", "GLACIER");
    const rawDeep = dayOf("raw/", "DEEP_ARCHIVE");
    const curatedIa = dayOf("curated/", "STANDARD_IA");
    const curatedGlacier = dayOf("curated/", "GLACIER");
    const findingsIa = dayOf("findings/", "STANDARD_IA");
    const expire = rules.find((r) => r.prefix === "raw/")?.expirationDays ?? 0;
    const never = Number.POSITIVE_INFINITY;
    return {
        enabled: rules.length > 0,
        rawToGlacierDays: rawGlacier ?? never,
        rawToDeepArchiveDays: rawDeep ?? never,
        curatedToInfrequentAccessDays: curatedIa ?? never,
        curatedToGlacierDays: curatedGlacier ?? never,
        findingsToInfrequentAccessDays: findingsIa,
        expireDays: expire,
    };
}

export function designFromResources(resources: readonly DeclaredResource[]): Design {
    const stream = ofType(resources, T.stream)[0];
    const firehose = ofType(resources, T.firehose)[0];
    const endpointConfig = ofType(resources, T.endpointConfig)[0];
    const variant = endpointConfig?.inputs.productionVariants?.[0];
    const rds = ofType(resources, T.rds)[0];
    const scheduleRules = ofType(resources, T.rule).filter((r) => typeof r.inputs.scheduleExpression === "string");
    const customNamespaces = new Set(ofType(resources, T.alarm)
        .filter((a) => typeof a.inputs.namespace === "string" && !a.inputs.namespace.startsWith("AWS/"))
        .map((a) => `${a.inputs.namespace}/${a.inputs.metricName}`));
    const s3Config = firehose?.inputs.extendedS3Configuration;

    return {
        stream: stream && {
            mode: stream.inputs.streamModeDetails?.streamMode === "ON_DEMAND" ? "ON_DEMAND" : "PROVISIONED",
            shards: Number(stream.inputs.shardCount ?? 0),
            encrypted: stream.inputs.encryptionType === "KMS",
        },
        firehose: firehose && {
            bufferMiB: Number(s3Config?.bufferingSize ?? 5),
            bufferSeconds: Number(s3Config?.bufferingInterval ?? 300),
            compressed: (s3Config?.compressionFormat ?? "UNCOMPRESSED") !== "UNCOMPRESSED",
            transformBatchMb: transformBatchMb(s3Config),
        },
        lambdaMemoryMb: {
            transform: maxMemory(functionsReferencedBy(resources, (r) => r.type === T.firehose)),
            inference: maxMemory(targetsOf(resources, (rule) => text(rule.inputs.eventPattern).includes("curated/"))),
            registryAccess: maxMemory(functionsReferencedBy(resources, (r) => r.type === T.rolePolicy && text(r.inputs.policy).includes("lambda:InvokeFunction"))),
            api: maxMemory(functionsReferencedBy(resources, (r) => r.type === T.integration)),
            scheduled: maxMemory(targetsOf(resources, (rule) => typeof rule.inputs.scheduleExpression === "string")),
        },
        scheduledRunsPerMonth: scheduleRules.reduce((n, r) => n + runsPerMonth(r.inputs.scheduleExpression), 0),
        endpoint: variant && (variant.serverlessConfig
            ? { kind: "serverless", memoryMb: Number(variant.serverlessConfig.memorySizeInMb), maxConcurrency: Number(variant.serverlessConfig.maxConcurrency ?? 5) }
            : { kind: "instance", instanceType: String(variant.instanceType), count: Number(variant.initialInstanceCount ?? 1) }),
        rds: rds && { instanceClass: String(rds.inputs.instanceClass), storageGb: Number(rds.inputs.allocatedStorage ?? 20), multiAz: Boolean(rds.inputs.multiAz) },
        kmsKeys: ofType(resources, T.key).length,
        alarms: ofType(resources, T.alarm).length,
        dashboards: ofType(resources, T.dashboard).length,
        customMetrics: customNamespaces.size,
        // RDS-managed master passwords are Secrets Manager secrets too.
        secrets: ofType(resources, T.secret).length + ofType(resources, T.rds).filter((r) => r.inputs.manageMasterUserPassword).length,
        interfaceEndpointAzs: ofType(resources, T.vpcEndpoint)
            .filter((e) => e.inputs.vpcEndpointType === "Interface")
            .reduce((n, e) => n + (e.inputs.subnetIds?.length ?? 1), 0),
        natGateways: ofType(resources, T.nat).length,
        findingsDataEvents: ofType(resources, T.trail).some((t) => text(t.inputs.advancedEventSelectors).includes("findings/")),
        lifecycle: lifecycleFrom(resources),
    };
}

function num(config: Record<string, unknown>, key: string): number {
    const value = Number(config[`mdetect:${key}`]);
    if (!Number.isFinite(value)) throw new Error(`config mdetect:${key} is missing or not a number`);
    return value;
}

export function usageFromConfig(config: Record<string, unknown>): Usage {
    const detectors = num(config, "detectorCount");
    const readingsPerRecord = num(config, "readingsPerRecord");
    const encoding = config["mdetect:recordEncoding"] ?? "plain";
    if (encoding !== "gzip" && encoding !== "plain") throw new Error(`config mdetect:recordEncoding must be gzip or plain, got ${String(encoding)}`);
    return {
        detectors,
        bytesPerSecondPerDetector: num(config, "bytesPerSecondPerDetector"),
        readingsPerRecord,
        compressionRatio: num(config, "compressionRatio"),
        clients: num(config, "clientCount"),
        apiCallsPerMonth: num(config, "apiCallsPerMonth"),
        // The firmware gzips each record: Kinesis and Firehose bill it at the ratio measured for its length.
        ...(encoding === "gzip" ? { recordGzipRatio: recordGzipRatio(readingsPerRecord) } : {}),
    };
}
