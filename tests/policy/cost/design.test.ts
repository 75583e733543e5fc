/**
 * Reading the cost-relevant design from declared resources and the usage profile from config,
 * on hand-built resources (fast; tests/scripts/cost.test.ts checks the same against the real
 * program run). Each expectation is the declared value itself or the documented default.
 */
import { expect } from "chai";
import { DeclaredResource, designFromResources, runsPerMonth, usageFromConfig } from "../../../policy/lib/cost/design";
import { MEASURED_RECORD_GZIP_RATIOS } from "../../../policy/lib/cost/measured";
import { HOURS_PER_MONTH } from "../../../policy/lib/cost/model";

const r = (type: string, name: string, inputs: Record<string, any> = {}, state?: Record<string, any>): DeclaredResource => ({ type, name, inputs, state });
const FN = "aws:lambda/function:Function";
const fn = (name: string, memorySize?: number) => r(FN, name, memorySize === undefined ? {} : { memorySize }, { arn: `arn:aws:lambda:ap-southeast-2:1:function:${name}` });
const arn = (name: string) => `arn:aws:lambda:ap-southeast-2:1:function:${name}`;
const rule = (name: string, inputs: Record<string, any>) => r("aws:cloudwatch/eventRule:EventRule", name, inputs, { name: `${name}-abc` });
const target = (ruleName: string, fnName: string) => r("aws:cloudwatch/eventTarget:EventTarget", `${ruleName}-t`, { rule: `${ruleName}-abc`, arn: arn(fnName) });
const lifecycle = (rules: object[]) => r("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "lc", { bucket: "lake", rules });

/** The mdetect:* keys usageFromConfig reads, each a value no default has. */
const CONFIG = {
    "mdetect:detectorCount": 70, "mdetect:bytesPerSecondPerDetector": 329, "mdetect:readingsPerRecord": 60, "mdetect:compressionRatio": 0.2,
    "mdetect:clientCount": 3, "mdetect:apiCallsPerMonth": 5000,
};

describe("policy/lib/cost/design: the design the resources declare", () => {
    it("reads a whole stack", () => {
        const d = designFromResources([
            r("aws:kinesis/stream:Stream", "s", { shardCount: 3, encryptionType: "KMS" }),
            r("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "fh", { extendedS3Configuration: {
                bufferingSize: 64, bufferingInterval: 900, compressionFormat: "GZIP",
                processingConfiguration: { processors: [{ type: "Lambda", parameters: [{ parameterName: "LambdaArn", parameterValue: arn("transform") }, { parameterName: "BufferSizeInMBs", parameterValue: "3" }] }] },
            } }),
            fn("transform", 256), fn("inference", 1024), fn("registry", 512), fn("api"), fn("silence", 192), fn("unused", 4096),
            rule("curated", { eventPattern: JSON.stringify({ detail: { object: { key: [{ prefix: "curated/" }] } } }) }), target("curated", "inference"),
            rule("every5", { scheduleExpression: "rate(5 minutes)" }), target("every5", "silence"),
            rule("hourly", { scheduleExpression: "cron(0 * * * ? *)" }),
            r("aws:iam/rolePolicy:RolePolicy", "invoke", { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: arn("registry") }] }) }),
            r("aws:iam/rolePolicy:RolePolicy", "read", { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: arn("unused") }] }) }),
            r("aws:apigatewayv2/integration:Integration", "i", { integrationUri: arn("api") }),
            r("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "ec", { productionVariants: [{ serverlessConfig: { memorySizeInMb: 2048, maxConcurrency: 8 } }] }),
            r("aws:rds/instance:Instance", "db", { instanceClass: "db.t4g.micro", allocatedStorage: 30, multiAz: true, manageMasterUserPassword: true }),
            r("aws:kms/key:Key", "k1"), r("aws:kms/key:Key", "k2"),
            r("aws:cloudwatch/metricAlarm:MetricAlarm", "a1", { namespace: "AWS/Lambda", metricName: "Errors" }),
            r("aws:cloudwatch/metricAlarm:MetricAlarm", "a2", { namespace: "mdetect", metricName: "Silent" }),
            r("aws:cloudwatch/metricAlarm:MetricAlarm", "a3", { namespace: "mdetect", metricName: "Silent" }),
            r("aws:cloudwatch/metricAlarm:MetricAlarm", "a4", { namespace: "mdetect", metricName: "Late" }),
            r("aws:cloudwatch/metricAlarm:MetricAlarm", "a5", { metrics: [] }),
            r("aws:cloudwatch/dashboard:Dashboard", "dash"),
            r("aws:secretsmanager/secret:Secret", "sec"),
            r("aws:ec2/vpcEndpoint:VpcEndpoint", "sm", { vpcEndpointType: "Interface", subnetIds: ["a", "b"] }),
            r("aws:ec2/vpcEndpoint:VpcEndpoint", "kms", { vpcEndpointType: "Interface" }),
            r("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", { vpcEndpointType: "Gateway", subnetIds: ["a", "b"] }),
            r("aws:ec2/natGateway:NatGateway", "nat"),
            r("aws:cloudtrail/trail:Trail", "trail", { advancedEventSelectors: [{ fieldSelectors: [{ field: "resources.ARN", startsWith: ["arn:aws:s3:::lake/findings/"] }] }] }),
            lifecycle([
                { status: "Enabled", filter: { prefix: "raw/" }, transitions: [{ days: 30, storageClass: "GLACIER" }, { days: "180", storageClass: "DEEP_ARCHIVE" }], expiration: { days: 3650 } },
                { status: "Enabled", filter: { and: { prefix: "curated/" } }, transitions: [{ days: 30, storageClass: "STANDARD_IA" }, { days: 90, storageClass: "GLACIER" }] },
                { status: "Enabled", prefix: "findings/", transitions: [{ days: 45, storageClass: "STANDARD_IA" }] },
            ]),
        ]);
        expect(d).to.deep.equal({
            stream: { mode: "PROVISIONED", shards: 3, encrypted: true },
            firehose: { bufferMiB: 64, bufferSeconds: 900, compressed: true, transformBatchMb: 3 },
            lambdaMemoryMb: { transform: 256, inference: 1024, registryAccess: 512, api: 128, scheduled: 192 },
            scheduledRunsPerMonth: HOURS_PER_MONTH * 12 + HOURS_PER_MONTH,
            endpoint: { kind: "serverless", memoryMb: 2048, maxConcurrency: 8 },
            rds: { instanceClass: "db.t4g.micro", storageGb: 30, multiAz: true },
            kmsKeys: 2, alarms: 5, dashboards: 1, customMetrics: 2, secrets: 2, interfaceEndpointAzs: 3, natGateways: 1, findingsDataEvents: true,
            lifecycle: { enabled: true, rawToGlacierDays: 30, rawToDeepArchiveDays: 180, curatedToInfrequentAccessDays: 30, curatedToGlacierDays: 90, findingsToInfrequentAccessDays: 45, expireDays: 3650 },
        });
    });

    it("reads an empty stack as nothing deployed and no lifecycle", () => {
        expect(designFromResources([])).to.deep.equal({
            stream: undefined, firehose: undefined, lambdaMemoryMb: { transform: undefined, inference: undefined, registryAccess: undefined, api: undefined, scheduled: undefined },
            scheduledRunsPerMonth: 0, endpoint: undefined, rds: undefined, kmsKeys: 0, alarms: 0, dashboards: 0, customMetrics: 0, secrets: 0,
            interfaceEndpointAzs: 0, natGateways: 0, findingsDataEvents: false,
            lifecycle: { enabled: false, rawToGlacierDays: Infinity, rawToDeepArchiveDays: Infinity, curatedToInfrequentAccessDays: Infinity, curatedToGlacierDays: Infinity, findingsToInfrequentAccessDays: undefined, expireDays: 0 },
        });
    });

    it("applies the AWS defaults for what a resource leaves unset", () => {
        const d = designFromResources([
            r("aws:kinesis/stream:Stream", "s", { streamModeDetails: { streamMode: "ON_DEMAND" } }),
            r("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "fh", { extendedS3Configuration: { processingConfiguration: { processors: [{ type: "Lambda" }] } } }),
            r("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "ec", { productionVariants: [{ instanceType: "ml.t2.medium" }] }),
            r("aws:rds/instance:Instance", "db", { instanceClass: "db.t3.micro" }),
            r("aws:cloudtrail/trail:Trail", "trail", { advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] }] }),
            lifecycle([{ status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }]),
        ]);
        expect(d.stream, "on-demand, no shards, no KMS").to.deep.equal({ mode: "ON_DEMAND", shards: 0, encrypted: false });
        // Firehose: 5 MiB / 300 s buffers, no compression, a Lambda processor's 1 MB batch.
        expect(d.firehose).to.deep.equal({ bufferMiB: 5, bufferSeconds: 300, compressed: false, transformBatchMb: 1 });
        expect(d.endpoint).to.deep.equal({ kind: "instance", instanceType: "ml.t2.medium", count: 1 });
        expect(d.rds).to.deep.equal({ instanceClass: "db.t3.micro", storageGb: 20, multiAz: false });
        expect(d.secrets, "a database without a managed password has no secret").to.equal(0);
        expect(d.findingsDataEvents).to.equal(false);
        expect(d.lifecycle, "a lifecycle without transitions moves nothing").to.deep.equal({
            enabled: true, rawToGlacierDays: Infinity, rawToDeepArchiveDays: Infinity, curatedToInfrequentAccessDays: Infinity, curatedToGlacierDays: Infinity, findingsToInfrequentAccessDays: undefined, expireDays: 0,
        });
    });

    it("reads the serverless default concurrency, instance counts, uncompressed output and processor-less Firehose", () => {
        const d = designFromResources([
            r("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "fh", { extendedS3Configuration: { compressionFormat: "UNCOMPRESSED", bufferingSize: 128, bufferingInterval: 60 } }),
            r("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "ec", { productionVariants: [{ serverlessConfig: { memorySizeInMb: 3072 } }] }),
        ]);
        expect(d.firehose).to.deep.equal({ bufferMiB: 128, bufferSeconds: 60, compressed: false, transformBatchMb: undefined });
        expect(d.endpoint).to.deep.equal({ kind: "serverless", memoryMb: 3072, maxConcurrency: 5 });
        const instance = designFromResources([r("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "ec", { productionVariants: [{ instanceType: "ml.m5.large", initialInstanceCount: 2 }] })]);
        expect(instance.endpoint).to.deep.equal({ kind: "instance", instanceType: "ml.m5.large", count: 2 });
    });

    it("reads resources that leave whole blocks out: no S3 configuration, no variants, no rules, no state", () => {
        const d = designFromResources([
            r("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "fh", { destination: "http_endpoint" }),
            r("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "ec", {}),
            r("aws:cloudwatch/eventRule:EventRule", "nightly", { scheduleExpression: "rate(1 day)" }),
            r("aws:cloudwatch/eventTarget:EventTarget", "nightly-t", { rule: "nightly", arn: arn("silence") }), fn("silence", 256),
            lifecycle([]),
        ]);
        expect(d.firehose).to.deep.equal({ bufferMiB: 5, bufferSeconds: 300, compressed: false, transformBatchMb: undefined });
        expect(d.endpoint).to.equal(undefined);
        expect(d.lambdaMemoryMb.scheduled, "a rule without state is known by its own name").to.equal(256);
        expect(d.lifecycle.enabled, "a lifecycle configuration with an empty rule list").to.equal(false);
        const noRules = designFromResources([r("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "lc", { bucket: "lake" })]);
        expect(noRules.lifecycle.enabled, "one without rules at all").to.equal(false);
    });

    it("finds the registry Lambda only through a role policy that invokes it, not any resource naming lambda:InvokeFunction", () => {
        const d = designFromResources([fn("api", 512), r("aws:lambda/permission:Permission", "p", { action: "lambda:InvokeFunction", function: arn("api"), principal: "apigateway.amazonaws.com" })]);
        expect(d.lambdaMemoryMb.registryAccess).to.equal(undefined);
    });

    it("takes the largest memory among the functions of one role, and none from functions nothing references", () => {
        const d = designFromResources([
            r("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "fh", { extendedS3Configuration: { processingConfiguration: { processors: [{ parameters: [{ parameterName: "LambdaArn", parameterValue: `${arn("t1")} ${arn("t2")}` }] }] } } }),
            fn("t1", 256), fn("t2", 1536), fn("other", 10240), r(FN, "no-state", { memorySize: 8192 }),
            rule("raw", { eventPattern: JSON.stringify({ detail: { object: { key: [{ prefix: "raw/" }] } } }) }), target("raw", "other"),
        ]);
        expect(d.lambdaMemoryMb).to.deep.equal({ transform: 1536, inference: undefined, registryAccess: undefined, api: undefined, scheduled: undefined });
    });

    it("reads lifecycle prefixes from filter.prefix, filter.and.prefix or the legacy top-level prefix, raw/ expiry from raw/ only", () => {
        const d = designFromResources([lifecycle([
            { status: "Enabled", filter: { prefix: "curated/" }, transitions: [{ days: 20, storageClass: "GLACIER" }], expiration: { days: 99 } },
            { status: "Enabled", prefix: "raw/", transitions: [{ days: 10, storageClass: "GLACIER" }] },
        ])]);
        expect(d.lifecycle).to.deep.include({ rawToGlacierDays: 10, curatedToGlacierDays: 20, expireDays: 0 });
        const whole = designFromResources([lifecycle([{ status: "Enabled", transitions: [{ days: 5, storageClass: "GLACIER" }] }])]);
        expect(whole.lifecycle.rawToGlacierDays, "a rule without a prefix is not raw/'s").to.equal(Infinity);
    });

    it("counts schedules by their rate: minutes, hours and days; cron as hourly", () => {
        expect(runsPerMonth("rate(5 minutes)")).to.equal(HOURS_PER_MONTH * 12);
        expect(runsPerMonth("rate(1 minute)")).to.equal(HOURS_PER_MONTH * 60);
        expect(runsPerMonth("rate(2 hours)")).to.equal(HOURS_PER_MONTH / 2);
        expect(runsPerMonth("rate(1 hour)")).to.equal(HOURS_PER_MONTH);
        expect(runsPerMonth("rate(3 days)")).to.equal(HOURS_PER_MONTH / 72);
        expect(runsPerMonth("rate(1 day)")).to.equal(HOURS_PER_MONTH / 24);
        expect(runsPerMonth("  rate(10 minutes) ")).to.equal(HOURS_PER_MONTH * 6);
        expect(runsPerMonth("cron(0 12 * * ? *)")).to.equal(HOURS_PER_MONTH);
        expect(runsPerMonth("rate(5 weeks)"), "not a unit EventBridge has: counted as hourly").to.equal(HOURS_PER_MONTH);
        expect(runsPerMonth("rate(5  minutes)"), "any whitespace between value and unit").to.equal(HOURS_PER_MONTH * 12);
        expect(runsPerMonth("xrate(5 minutes)")).to.equal(HOURS_PER_MONTH);
        expect(runsPerMonth("rate(5 minutes)x")).to.equal(HOURS_PER_MONTH);
    });
});

describe("policy/lib/cost/design: the usage profile from stack config", () => {
    it("reads every key, plain records without a gzip ratio", () => {
        expect(usageFromConfig(CONFIG)).to.deep.equal({ detectors: 70, bytesPerSecondPerDetector: 329, readingsPerRecord: 60, compressionRatio: 0.2, clients: 3, apiCallsPerMonth: 5000 });
        expect(usageFromConfig({ ...CONFIG, "mdetect:recordEncoding": "plain" })).to.not.have.property("recordGzipRatio");
    });

    it("bills gzip records at the ratio measured for their length", () => {
        expect(usageFromConfig({ ...CONFIG, "mdetect:recordEncoding": "gzip" }).recordGzipRatio).to.equal(MEASURED_RECORD_GZIP_RATIOS[60]);
        expect(usageFromConfig({ ...CONFIG, "mdetect:readingsPerRecord": 600, "mdetect:recordEncoding": "gzip" }).recordGzipRatio).to.equal(MEASURED_RECORD_GZIP_RATIOS[600]);
    });

    it("refuses a missing or non-numeric key and an unknown encoding, naming it", () => {
        for (const key of Object.keys(CONFIG)) {
            const { [key]: _, ...rest } = CONFIG as Record<string, unknown>;
            expect(() => usageFromConfig(rest), key).to.throw(`config ${key} is missing or not a number`);
            expect(() => usageFromConfig({ ...rest, [key]: "many" }), key).to.throw(`config ${key} is missing or not a number`);
        }
        expect(() => usageFromConfig({ ...CONFIG, "mdetect:recordEncoding": "zstd" })).to.throw("config mdetect:recordEncoding must be gzip or plain, got zstd");
    });
});
