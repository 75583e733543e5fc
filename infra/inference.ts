/**
 * Inference: the model on a SageMaker endpoint (Serverless Inference by default: it scales to
 * zero, where an always-on instance costs roughly $40-85 a month idle) and the Lambda that scores
 * every curated object, writes findings per client and alerts clients (functions/inference).
 *
 * With no model artifact configured nothing is created: a Model cannot exist without model
 * data, and an endpoint or a Lambda with nothing to call would only cost and fail. The stack
 * deploys everything else, and inference appears once mdetect:modelArtifact is set.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PREFIX } from "../functions/layout";
import type { ObjectCreatedEvent } from "../functions/batch/event";
import type { InferenceResult } from "../functions/inference/handler";
import { inferenceHandlerFromEnv } from "../functions/inference/lambda";
import { InferenceConfig } from "./config";
import { PipelineFunction, PolicyStatement } from "./lambda";
import { dataKeyViaS3, dataKeyViaSns } from "./encryption";
import { ObjectCreatedTrigger } from "./object-trigger";
import { sklearnImageUri } from "./sagemaker-image";
import { unusedPackages } from "./governance/packages";

/** Where the program uploads a local model.tar.gz in the data lake (content-addressed). */
export const MODELS_PREFIX = "models/";
/**
 * Scored rows wait in memory until the findings are written: ~150 bytes each, so a 64 MiB
 * Firehose object (~500k readings) needs ~100 MB; 1024 MB leaves room for bigger batch files and
 * buys the CPU share that gunzip and JSON work want.
 */
export const INFERENCE_MEMORY_MB = 1024;
/**
 * A large object is tens of chunks; each invocation may take up to SageMaker's 60 s and
 * throttled ones back off for seconds. Ten minutes covers a cold serverless endpoint with
 * margin, under Lambda's 15-minute maximum.
 */
export const INFERENCE_TIMEOUT_SECONDS = 600;
/** Chunks in flight on an instance endpoint: two vCPUs of an ml.t2.medium stay busy while bodies transfer. */
export const INSTANCE_INVOKE_CONCURRENCY = 4;
/**
 * Instance families with local NVMe storage: SageMaker refuses KmsKeyId for them (CreateEndpointConfig,
 * KmsKeyId: "You can't request a KmsKeyId when using an instance type with local storage"); their
 * volumes are encrypted by the instance's hardware module instead. Families with a "d" after the
 * generation (m5d, c5d, r5d, g4dn, p3dn, m6gd...) plus those whose name does not show it.
 */
const LOCAL_STORAGE_FAMILY = /^ml\.([a-z]+\d+[a-z]*d[a-z]*|g5|g6|g6e|p5|trn1|inf2)\./;
/** Runtime dependencies the inference Lambda never loads, kept out of its zip. */
/** The inference handler ships only what it imports: S3, the endpoint, SNS alerts, the registry-access Lambda. */
const UNUSED_PACKAGES = unusedPackages(["@aws-sdk/client-lambda", "@aws-sdk/client-s3", "@aws-sdk/client-sagemaker-runtime", "@aws-sdk/client-sns", "@smithy/node-http-handler"]);

/**
 * Whether the endpoint configuration can carry the DataKey. KmsKeyId encrypts the ML storage
 * volume attached to the hosting instance: serverless endpoints have no such volume of ours
 * (SageMaker manages the compute and its storage), and local-storage instance types refuse it.
 */
export function endpointSupportsKms(config: Pick<InferenceConfig, "endpointMode" | "endpointInstanceType">): boolean {
    return config.endpointMode === "instance" && !LOCAL_STORAGE_FAMILY.test(config.endpointInstanceType);
}

/** `s3://bucket/key` -> parts; anything else is a clear error. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
    const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(uri);
    if (!match) throw new Error(`mdetect:modelArtifact ${JSON.stringify(uri)} must be an s3://bucket/key URI or a local path to model.tar.gz`);
    return { bucket: match[1], key: match[2] };
}

export interface InferenceArgs {
    readonly config: InferenceConfig;
    readonly region: string;
    readonly stack: string;
    readonly keyArn: pulumi.Input<string>;
    readonly dataLakeName: pulumi.Input<string>;
    readonly dataLakeArn: pulumi.Input<string>;
    readonly findingsTopicArn: pulumi.Input<string>;
    /** The registry access Lambda (the inference Lambda runs outside the VPC) and the statements to invoke it. */
    readonly registryFunctionName: pulumi.Input<string>;
    readonly registryInvokeStatements: PolicyStatement[];
    readonly logRetentionDays: number;
}

export class Inference extends pulumi.ComponentResource {
    /** False when no model artifact is configured: then nothing below exists. */
    public readonly enabled: boolean;
    public readonly endpoint?: aws.sagemaker.Endpoint;
    public readonly endpointConfiguration?: aws.sagemaker.EndpointConfiguration;
    public readonly model?: aws.sagemaker.Model;
    public readonly function?: PipelineFunction<ObjectCreatedEvent, InferenceResult>;

    constructor(name: string, args: InferenceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:inference:Inference", name, {}, opts);
        const artifact = args.config.modelArtifact;
        this.enabled = artifact !== undefined;
        if (!artifact) {
            this.registerOutputs({ enabled: false });
            return;
        }
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const { objectArn, modelDataUrl } = this.artifact(name, artifact, args);
        const endpointName = `mdetect-${args.stack}-scorer`.replace(/[^a-zA-Z0-9-]/g, "-").slice(0, 63);

        const role = new aws.iam.Role(`${name}-model-role`, {
            description: "SageMaker execution role of the mDetect model: reads its artifact, writes its logs",
            assumeRolePolicy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Principal: { Service: "sagemaker.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": account } },
                }],
            }),
        }, { parent: this });
        const logGroup = pulumi.interpolate`arn:${partition}:logs:${args.region}:${account}:log-group:/aws/sagemaker/Endpoints/${endpointName}`;
        // No ECR statements: SageMaker pulls its prebuilt images with service-owned credentials
        // (SageMaker "Docker Registry Paths" note), so the role needs no registry access at all.
        const rolePolicy = new aws.iam.RolePolicy(`${name}-model-policy`, {
            role: role.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "ReadModelArtifact", Effect: "Allow", Action: "s3:GetObject", Resource: objectArn },
                    { Sid: "DecryptModelArtifact", Effect: "Allow", Action: "kms:Decrypt", Resource: args.keyArn },
                    { Sid: "CreateEndpointLogs", Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:DescribeLogStreams"], Resource: logGroup },
                    { Sid: "WriteEndpointLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup}:log-stream:*` },
                ],
            }),
        }, { parent: this });

        const serverless = args.config.endpointMode === "serverless";
        this.model = new aws.sagemaker.Model(`${name}-model`, {
            executionRoleArn: role.arn,
            primaryContainer: {
                image: sklearnImageUri(args.region),
                modelDataUrl,
                // The artifact carries code/inference.py (schema/model-contract.md).
                environment: {
                    SAGEMAKER_PROGRAM: "inference.py",
                    SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code",
                    SAGEMAKER_CONTAINER_LOG_LEVEL: "20",
                    SAGEMAKER_REGION: args.region,
                },
            },
            // Serverless endpoints do not support network isolation; instance-backed ones get it:
            // the container has no reason to reach the network.
            enableNetworkIsolation: !serverless,
        }, { parent: this, dependsOn: [rolePolicy] });

        this.endpointConfiguration = new aws.sagemaker.EndpointConfiguration(`${name}-config`, {
            productionVariants: [serverless
                ? {
                    variantName: "AllTraffic",
                    modelName: this.model.name,
                    serverlessConfig: { memorySizeInMb: args.config.serverlessMemoryMb, maxConcurrency: args.config.serverlessMaxConcurrency },
                }
                : {
                    variantName: "AllTraffic",
                    modelName: this.model.name,
                    instanceType: args.config.endpointInstanceType,
                    initialInstanceCount: 1,
                    initialVariantWeight: 1,
                }],
            kmsKeyArn: endpointSupportsKms(args.config) ? args.keyArn : undefined,
        }, { parent: this });

        this.endpoint = new aws.sagemaker.Endpoint(`${name}-endpoint`, {
            name: endpointName,
            endpointConfigName: this.endpointConfiguration.name,
        }, { parent: this });

        const objects = (prefix: string) => pulumi.interpolate`${args.dataLakeArn}/${prefix}*`;
        this.function = new PipelineFunction<ObjectCreatedEvent, InferenceResult>(name, {
            description: "Scores curated CSV with the model, writes findings per client, records them and alerts clients",
            callback: async (event) => inferenceHandlerFromEnv(process.env)(event),
            statements: [
                { Sid: "ReadCurated", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: objects(PREFIX.curated) },
                { Sid: "WriteFindings", Effect: "Allow", Action: "s3:PutObject", Resource: objects(PREFIX.findings) },
                { Sid: "InvokeModel", Effect: "Allow", Action: "sagemaker:InvokeEndpoint", Resource: this.endpoint.arn },
                { Sid: "AlertClients", Effect: "Allow", Action: "sns:Publish", Resource: args.findingsTopicArn },
                dataKeyViaS3("UseDataKey", ["kms:Decrypt", "kms:GenerateDataKey"], args.keyArn, args.dataLakeArn, args.region),
                dataKeyViaSns("EncryptAlerts", args.keyArn, args.findingsTopicArn, args.region),
                ...args.registryInvokeStatements,
            ],
            memorySizeMb: INFERENCE_MEMORY_MB,
            timeoutSeconds: INFERENCE_TIMEOUT_SECONDS,
            logRetentionDays: args.logRetentionDays,
            environment: {
                DATA_LAKE_BUCKET: args.dataLakeName,
                ENDPOINT_NAME: this.endpoint.name,
                ENDPOINT_KIND: args.config.endpointMode,
                INVOKE_CONCURRENCY: String(serverless ? args.config.serverlessMaxConcurrency : INSTANCE_INVOKE_CONCURRENCY),
                ALERT_THRESHOLD: String(args.config.alertThreshold),
                FINDINGS_TOPIC_ARN: args.findingsTopicArn,
                REGISTRY_FUNCTION: args.registryFunctionName,
            },
            deadLetterKeyArn: args.keyArn,
            excludePackages: UNUSED_PACKAGES,
        }, { parent: this });

        // Both curated/batch/ and curated/realtime/ (and any later curated source).
        new ObjectCreatedTrigger(name, { bucketName: args.dataLakeName, prefixes: [PREFIX.curated], function: this.function.function }, { parent: this });

        this.registerOutputs({ enabled: true, endpointName: this.endpoint.name, functionArn: this.function.function.arn });
    }

    /** The artifact's S3 object: uploaded from a local path (content-addressed key) or taken as given. */
    private artifact(name: string, artifact: string, args: InferenceArgs): { objectArn: pulumi.Input<string>; modelDataUrl: pulumi.Input<string> } {
        if (artifact.startsWith("s3://")) {
            const { bucket, key } = parseS3Uri(artifact);
            const partition = aws.getPartitionOutput({}, { parent: this }).partition;
            return { objectArn: pulumi.interpolate`arn:${partition}:s3:::${bucket}/${key}`, modelDataUrl: artifact };
        }
        const file = path.resolve(artifact);
        if (!fs.existsSync(file)) throw new Error(`mdetect:modelArtifact: no file ${file} (give a local model.tar.gz or an s3:// URI)`);
        // The image unpacks a gzip tarball into /opt/ml/model; a bare model.joblib would deploy and fail at start-up.
        if (!file.endsWith(".tar.gz")) throw new Error(`mdetect:modelArtifact: ${file} is not a model.tar.gz; package the estimator with \`mdetect model package <model.joblib>\``);
        const digest = createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, 16);
        const key = `${MODELS_PREFIX}${digest}/model.tar.gz`;
        const object = new aws.s3.BucketObjectv2(`${name}-artifact`, {
            bucket: args.dataLakeName,
            key,
            source: new pulumi.asset.FileAsset(file),
            contentType: "application/gzip",
            serverSideEncryption: "aws:kms",
            kmsKeyId: args.keyArn,
        }, { parent: this });
        return {
            objectArn: pulumi.interpolate`${args.dataLakeArn}/${key}`,
            modelDataUrl: pulumi.interpolate`s3://${object.bucket}/${object.key}`,
        };
    }
}
