/**
 * BatchIngest: a file uploaded to incoming/ raises an EventBridge "Object Created" event; an
 * ObjectCreatedTrigger sends it to the conversion Lambda (functions/batch), which writes
 * curated/batch/, quarantine/batch/, raw/batch/ and a manifest. Failed deliveries and failed
 * invocations both end in a dead-letter queue, so an upload is never silently dropped.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PREFIX } from "../functions/layout";
import { BATCH } from "../functions/batch/keys";
import { ObjectCreatedEvent } from "../functions/batch/event";
import { BatchResult, handlerFromEnv } from "../functions/batch/handler";
import { PipelineFunction, PolicyStatement } from "./lambda";
import { dataKeyViaS3 } from "./encryption";
import { ObjectCreatedTrigger } from "./object-trigger";
import { unusedPackages } from "./governance/packages";

/**
 * 1769 MB is one full vCPU: the converter is a single CPU-bound thread, and gzip plus the
 * uploads run beside it on the I/O threads; more memory buys no speed for one thread, less
 * slows it in proportion. The streams need under 150 MB whatever the file size.
 */
export const BATCH_MEMORY_MB = 1769;
/** Lambda's maximum: a several-GB dump must finish in one invocation (the streams cannot resume). */
export const BATCH_TIMEOUT_SECONDS = 900;
/** Packages in dependencies this function never loads, kept out of its zip. */
/** The batch handler ships only what it imports: S3 (streamed upload), the registry-access Lambda (site gate), papaparse. */
const UNUSED_PACKAGES = unusedPackages(["@aws-sdk/client-lambda", "@aws-sdk/client-s3", "@aws-sdk/lib-storage", "papaparse"]);

export interface BatchIngestArgs {
    readonly bucketName: pulumi.Input<string>;
    readonly bucketArn: pulumi.Input<string>;
    /** The DataKey: decrypts uploads, encrypts outputs and the dead-letter queues. */
    readonly keyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** The registry access Lambda: which detectors were deployed at the upload's site. */
    readonly registryFunctionName: pulumi.Input<string>;
    readonly registryInvokeStatements: PolicyStatement[];
}

export class BatchIngest extends pulumi.ComponentResource {
    public readonly function: PipelineFunction<ObjectCreatedEvent, BatchResult>;
    public readonly trigger: ObjectCreatedTrigger;

    constructor(name: string, args: BatchIngestArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:ingest:BatchIngest", name, {}, opts);
        const objects = (prefix: string) => pulumi.interpolate`${args.bucketArn}/${prefix}*`;
        const region = aws.getRegionOutput({}, { parent: this }).region;

        this.function = new PipelineFunction<ObjectCreatedEvent, BatchResult>(name, {
            description: "Converts files uploaded to incoming/ into curated CSV (site's detectors only), quarantine and manifest",
            callback: async (event) => handlerFromEnv(process.env)(event),
            statements: [
                ...args.registryInvokeStatements,
                { Sid: "ReadUploads", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: objects(PREFIX.incoming) },
                {
                    Sid: "WriteBatchOutputs",
                    Effect: "Allow",
                    Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
                    Resource: [objects(PREFIX.curated + BATCH), objects(PREFIX.quarantine + BATCH), objects(PREFIX.raw + BATCH)],
                },
                // Reads decrypt, writes (multipart for large files) need both.
                dataKeyViaS3("UseDataKey", ["kms:Decrypt", "kms:GenerateDataKey"], args.keyArn, args.bucketArn, region),
            ],
            memorySizeMb: BATCH_MEMORY_MB,
            timeoutSeconds: BATCH_TIMEOUT_SECONDS,
            logRetentionDays: args.logRetentionDays,
            environment: { DATA_LAKE_BUCKET: args.bucketName, REGISTRY_FUNCTION: args.registryFunctionName },
            deadLetterKeyArn: args.keyArn,
            excludePackages: UNUSED_PACKAGES,
        }, { parent: this });

        this.trigger = new ObjectCreatedTrigger(name, {
            bucketName: args.bucketName, prefixes: [PREFIX.incoming], function: this.function.function,
        }, { parent: this });

        this.registerOutputs({ functionArn: this.function.function.arn, ruleArn: this.trigger.rule.arn });
    }
}
