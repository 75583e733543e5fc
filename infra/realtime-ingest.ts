/**
 * RealtimeIngest: detectors stream readings into a KMS-encrypted Kinesis stream with
 * short-lived credentials from the AWS IoT credentials provider (X.509 certificate -> role
 * alias -> a role that may only put records on this stream). Each record is signed with the
 * detector's certificate key (docs/device-identity.md). Firehose reads the stream, a transform
 * Lambda verifies each record against the registry's certificates and turns the sender's own
 * readings into CSV rows under curated/realtime/, Firehose's source backup keeps the records as
 * sent under raw/realtime/, and bad or foreign readings go to quarantine/.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { PREFIX } from "../functions/layout";
import { handleFirehoseEvent, QUARANTINE_PREFIX } from "../functions/realtime/handler";
import { cachedKeyring, containerKeyring } from "../functions/realtime/keyring";
import { registryDeviceKeys } from "../functions/realtime/registry-keys";
import { s3QuarantineSink } from "../functions/realtime/s3-sink";
import { FirehoseEvent, FirehoseResponse } from "../functions/realtime/transform";
import { FleetConfig, RealtimeConfig } from "./config";
import { streamCapacity } from "./capacity";
import { PipelineFunction, PolicyStatement } from "./lambda";
import { dataKeyViaS3 } from "./encryption";
import { unusedPackages } from "./governance/packages";

export const CURATED_REALTIME_PREFIX = `${PREFIX.curated}realtime/`;
export const RAW_REALTIME_PREFIX = `${PREFIX.raw}realtime/`;
export const FIREHOSE_ERROR_PREFIX = `${PREFIX.quarantine}firehose-errors/`;
/** Hourly folders, dated by the oldest record's arrival (UTC), like the rest of the lake. */
const HOURLY = "!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/";

/** A day covers a weekend outage of Firehose delivery at the lowest stream-hour price (24 h is the minimum). */
export const STREAM_RETENTION_HOURS = 24;
/**
 * Device credentials live an hour (the IAM role default session cap): a revoked certificate
 * stops writing within the hour, and a detector refreshes 24 times a day, a negligible load.
 */
export const CREDENTIAL_DURATION_SECONDS = 3600;
/**
 * Firehose hands the transform 3 MB batches, the maximum, for the fewest invocations. Base64
 * makes that 4 MB of request, under Lambda's 6 MB; CSV rows are shorter than their JSON.
 */
export const TRANSFORM_BUFFER_MB = 3;
/** The transform parses at most 3 MB of JSON: seconds at 256 MB; Firehose allows up to 5 minutes. */
const TRANSFORM_MEMORY_MB = 256;
const TRANSFORM_TIMEOUT_SECONDS = 120;
/** Runtime dependencies the transform never loads (it uses the S3 and Lambda clients only). */
/** The transform ships only what it imports: the registry-access Lambda (device keys), papaparse; S3 for the shared sink types. */
const TRANSFORM_EXCLUDES = unusedPackages(["@aws-sdk/client-lambda", "@aws-sdk/client-s3", "papaparse"]);

export interface DataLakeRef {
    readonly name: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
}

export interface RealtimeIngestArgs {
    readonly fleet: FleetConfig;
    readonly realtime: RealtimeConfig;
    readonly logRetentionDays: number;
    readonly dataKeyArn: pulumi.Input<string>;
    readonly dataLake: DataLakeRef;
    /** The registry access Lambda: the transform reads device certificates through it. */
    readonly registryFunctionName: pulumi.Input<string>;
    readonly registryInvokeStatements: PolicyStatement[];
}

export class RealtimeIngest extends pulumi.ComponentResource {
    public readonly stream: aws.kinesis.Stream;
    public readonly deviceRole: aws.iam.Role;
    public readonly roleAlias: aws.iot.RoleAlias;
    public readonly devicePolicy: aws.iot.Policy;
    public readonly transform: PipelineFunction<FirehoseEvent, FirehoseResponse>;
    public readonly deliveryStream: aws.kinesis.FirehoseDeliveryStream;
    /** What detector firmware needs. */
    public readonly streamName: pulumi.Output<string>;
    public readonly roleAliasName: pulumi.Output<string>;
    public readonly credentialsEndpoint: pulumi.Output<string>;

    constructor(name: string, args: RealtimeIngestArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:ingest:RealtimeIngest", name, {}, opts);
        const parent = { parent: this };
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const region = aws.getRegionOutput({}, parent).region;
        const keyArn = pulumi.output(args.dataKeyArn);
        const bucketArn = pulumi.output(args.dataLake.arn);
        const provisioned = args.realtime.streamMode === "PROVISIONED";

        this.stream = new aws.kinesis.Stream(`${name}-stream`, {
            retentionPeriod: STREAM_RETENTION_HOURS,
            encryptionType: "KMS",
            kmsKeyId: keyArn,
            streamModeDetails: { streamMode: args.realtime.streamMode },
            // On-demand streams scale themselves; AWS rejects a shard count for them.
            shardCount: provisioned ? streamCapacity(args.fleet).shards : undefined,
        }, parent);

        // --- detectors: certificate -> IoT credentials provider -> role alias -> device role
        this.deviceRole = new aws.iam.Role(`${name}-device-role`, {
            description: "Assumed by detectors through the AWS IoT credentials provider: put records on the telemetry stream only",
            maxSessionDuration: CREDENTIAL_DURATION_SECONDS,
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "credentials.iot.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
        }, parent);
        new aws.iam.RolePolicy(`${name}-device-policy`, {
            role: this.deviceRole.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "PutTelemetry", Effect: "Allow", Action: ["kinesis:PutRecord", "kinesis:PutRecords"], Resource: this.stream.arn },
                    // Writing to a stream encrypted with a customer key needs a data key from it.
                    {
                        Sid: "EncryptTelemetry",
                        Effect: "Allow",
                        Action: "kms:GenerateDataKey",
                        Resource: keyArn,
                        Condition: { StringEquals: { "kms:EncryptionContext:aws:kinesis:arn": this.stream.arn } },
                    },
                ],
            }),
        }, parent);
        this.roleAlias = new aws.iot.RoleAlias(`${name}-role-alias`, {
            alias: `mdetect-${pulumi.getStack()}-detector-stream`,
            roleArn: this.deviceRole.arn,
            credentialDuration: CREDENTIAL_DURATION_SECONDS,
        }, parent);
        // Attached to each detector's certificate at provisioning: it may exchange the
        // certificate for credentials of this role alias and nothing else.
        this.devicePolicy = new aws.iot.Policy(`${name}-device-policy`, {
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "iot:AssumeRoleWithCertificate", Resource: this.roleAlias.arn }],
            }),
        }, parent);

        // --- transform Lambda
        const env = { DATA_LAKE_BUCKET: args.dataLake.name, DATA_KEY_ARN: keyArn, REGISTRY_FUNCTION: args.registryFunctionName };
        this.transform = new PipelineFunction<FirehoseEvent, FirehoseResponse>(`${name}-transform`, {
            description: "Firehose transform: signed telemetry JSON to CSV rows, bad or foreign readings to quarantine/realtime/",
            callback: (event) => handleFirehoseEvent(event,
                s3QuarantineSink(new S3Client({}), process.env.DATA_LAKE_BUCKET!, process.env.DATA_KEY_ARN!),
                // One keyring per container: device certificates cached across invocations.
                containerKeyring(() => cachedKeyring(registryDeviceKeys(new LambdaClient({}), process.env.REGISTRY_FUNCTION!)))),
            statements: [
                ...args.registryInvokeStatements,
                { Sid: "WriteQuarantine", Effect: "Allow", Action: "s3:PutObject", Resource: pulumi.interpolate`${bucketArn}/${QUARANTINE_PREFIX}*` },
                dataKeyViaS3("EncryptQuarantine", ["kms:GenerateDataKey"], keyArn, bucketArn, region),
            ],
            memorySizeMb: TRANSFORM_MEMORY_MB,
            timeoutSeconds: TRANSFORM_TIMEOUT_SECONDS,
            logRetentionDays: args.logRetentionDays,
            environment: env,
            excludePackages: TRANSFORM_EXCLUDES,
        }, parent);

        // --- Firehose
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-firehose-logs`, { retentionInDays: args.logRetentionDays }, parent);
        const logStream = (stream: string) => new aws.cloudwatch.LogStream(`${name}-${stream}`, { logGroupName: logGroup.name, name: stream }, parent);
        const deliveryLog = logStream("DestinationDelivery");
        const backupLog = logStream("BackupDelivery");

        const firehoseRole = new aws.iam.Role(`${name}-firehose-role`, {
            description: "Firehose: read the telemetry stream, invoke the transform, write curated/raw/error prefixes",
            assumeRolePolicy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Principal: { Service: "firehose.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "sts:ExternalId": account } },
                }],
            }),
        }, parent);
        const writePrefixes = [CURATED_REALTIME_PREFIX, RAW_REALTIME_PREFIX, FIREHOSE_ERROR_PREFIX];
        const fnArn = this.transform.function.arn;
        const firehosePolicy = new aws.iam.RolePolicy(`${name}-firehose-policy`, {
            role: firehoseRole.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "ReadSourceStream",
                        Effect: "Allow",
                        Action: ["kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"],
                        Resource: this.stream.arn,
                    },
                    {
                        Sid: "DecryptSourceStream",
                        Effect: "Allow",
                        Action: "kms:Decrypt",
                        Resource: keyArn,
                        Condition: {
                            StringEquals: {
                                "kms:ViaService": pulumi.interpolate`kinesis.${region}.amazonaws.com`,
                                "kms:EncryptionContext:aws:kinesis:arn": this.stream.arn,
                            },
                        },
                    },
                    { Sid: "InvokeTransform", Effect: "Allow", Action: ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"], Resource: [fnArn, pulumi.interpolate`${fnArn}:*`] },
                    { Sid: "LocateBucket", Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: bucketArn },
                    {
                        Sid: "WriteDeliveryPrefixes",
                        Effect: "Allow",
                        Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
                        Resource: writePrefixes.map((p) => pulumi.interpolate`${bucketArn}/${p}*`),
                    },
                    dataKeyViaS3("EncryptDeliveries", ["kms:GenerateDataKey", "kms:Decrypt"], keyArn, bucketArn, region),
                    { Sid: "DeliveryLogs", Effect: "Allow", Action: "logs:PutLogEvents", Resource: pulumi.interpolate`${logGroup.arn}:log-stream:*` },
                ] satisfies PolicyStatement[],
            }),
        }, parent);

        const s3Target = { roleArn: firehoseRole.arn, bucketArn, compressionFormat: "GZIP", kmsKeyArn: keyArn };
        this.deliveryStream = new aws.kinesis.FirehoseDeliveryStream(`${name}-delivery`, {
            destination: "extended_s3",
            // No serverSideEncryption block: Firehose rejects it with a Kinesis stream source;
            // the stream's own KMS encryption covers that leg.
            kinesisSourceConfiguration: { kinesisStreamArn: this.stream.arn, roleArn: firehoseRole.arn },
            extendedS3Configuration: {
                ...s3Target,
                prefix: `${CURATED_REALTIME_PREFIX}${HOURLY}`,
                errorOutputPrefix: `${FIREHOSE_ERROR_PREFIX}!{firehose:error-output-type}/${HOURLY}`,
                bufferingSize: args.realtime.firehoseBufferMiB,
                bufferingInterval: args.realtime.firehoseBufferSeconds,
                fileExtension: ".csv.gz",
                cloudwatchLoggingOptions: { enabled: true, logGroupName: logGroup.name, logStreamName: deliveryLog.name },
                processingConfiguration: {
                    enabled: true,
                    processors: [{
                        type: "Lambda",
                        parameters: [
                            // The provider asks for a qualified ARN; $LATEST follows code updates.
                            { parameterName: "LambdaArn", parameterValue: pulumi.interpolate`${fnArn}:$LATEST` },
                            { parameterName: "BufferSizeInMBs", parameterValue: String(TRANSFORM_BUFFER_MB) },
                        ],
                    }],
                },
                s3BackupMode: "Enabled",
                s3BackupConfiguration: {
                    ...s3Target,
                    prefix: `${RAW_REALTIME_PREFIX}${HOURLY}`,
                    errorOutputPrefix: `${FIREHOSE_ERROR_PREFIX}backup/!{firehose:error-output-type}/${HOURLY}`,
                    bufferingSize: args.realtime.firehoseBufferMiB,
                    bufferingInterval: args.realtime.firehoseBufferSeconds,
                    cloudwatchLoggingOptions: { enabled: true, logGroupName: logGroup.name, logStreamName: backupLog.name },
                },
            },
        }, { parent: this, dependsOn: [firehosePolicy] });

        this.streamName = this.stream.name;
        this.roleAliasName = this.roleAlias.alias;
        this.credentialsEndpoint = aws.iot.getEndpointOutput({ endpointType: "iot:CredentialProvider" }, parent).endpointAddress;
        this.registerOutputs({
            streamName: this.streamName,
            shardCount: this.stream.shardCount,
            roleAliasName: this.roleAliasName,
            deliveryStreamName: this.deliveryStream.name,
        });
    }
}
