/**
 * Storage: the data lake (telemetry from upload to findings) and the audit store (CloudTrail),
 * both HardenedBuckets. The data lake's key layout is functions/layout.ts, documented in
 * schema/datalake.md; its object events go to EventBridge so any number of consumers can add a
 * rule (S3 allows a single notification configuration per bucket).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PREFIX } from "../functions/layout";
import { StorageConfig } from "./config";
import { BucketPolicyStatement, HardenedBucket, HardenedBucketArgs, PrefixLifecycle } from "./bucket";

/**
 * incoming/ holds uploads only until they are converted and copied to raw/batch/. A month
 * outlasts the 14-day dead-letter retention, so a replayed event still finds its object, with
 * margin for an operator; the duplicate costs one month of Standard storage for batch files only.
 */
export const INCOMING_EXPIRY_DAYS = 30;

export interface DataLakeArgs {
    readonly keyArn: pulumi.Input<string>;
    readonly storage: StorageConfig;
    readonly forceDestroy: boolean;
}

/** The data lake's lifecycle, one rule per area of functions/layout.ts. */
export function dataLakeLifecycle(s: StorageConfig): PrefixLifecycle[] {
    const expireDays = s.expireDays || undefined;
    return [
        { id: "incoming-expire", prefix: PREFIX.incoming, expireDays: INCOMING_EXPIRY_DAYS },
        {
            id: "raw-archive",
            prefix: PREFIX.raw,
            transitions: [
                { days: s.rawToGlacierDays, storageClass: "GLACIER" },
                { days: s.rawToDeepArchiveDays, storageClass: "DEEP_ARCHIVE" },
            ],
            expireDays,
        },
        {
            id: "curated-tier",
            prefix: PREFIX.curated,
            transitions: [
                { days: s.curatedToInfrequentAccessDays, storageClass: "STANDARD_IA" },
                { days: s.curatedToGlacierDays, storageClass: "GLACIER" },
            ],
            expireDays,
        },
        { id: "quarantine-expire", prefix: PREFIX.quarantine, expireDays: s.quarantineRetentionDays },
        // Clients download findings through presigned URLs soon after they appear; later reads
        // are rare, so Standard-IA at the curated age. Findings are client deliverables: no expiry.
        { id: "findings-tier", prefix: PREFIX.findings, transitions: [{ days: s.curatedToInfrequentAccessDays, storageClass: "STANDARD_IA" }] },
    ];
}

/** A component owning one HardenedBucket: its name and ARN are the component's outputs. */
abstract class BucketComponent extends pulumi.ComponentResource {
    public readonly bucket: HardenedBucket;
    public readonly name: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;

    protected constructor(type: string, name: string, args: HardenedBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        this.bucket = new HardenedBucket(name, args, { parent: this });
        this.name = this.bucket.name;
        this.arn = this.bucket.arn;
        this.registerOutputs({ name: this.name, arn: this.arn });
    }
}

export class DataLake extends BucketComponent {
    public readonly keyArn: pulumi.Output<string>;

    constructor(name: string, args: DataLakeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:storage:DataLake", name, {
            keyArn: args.keyArn,
            lifecycle: dataLakeLifecycle(args.storage),
            noncurrentVersionDays: args.storage.noncurrentVersionDays,
            forceDestroy: args.forceDestroy,
        }, opts);
        this.keyArn = pulumi.output(args.keyArn);
        // After the bucket's other settings: S3 answers 409 to concurrent configuration calls.
        new aws.s3.BucketNotification(name, { bucket: this.bucket.bucket.id, eventbridge: true }, { parent: this, dependsOn: [this.bucket] });
    }
}

export interface AuditStoreArgs {
    readonly keyArn: pulumi.Input<string>;
    readonly storage: StorageConfig;
    readonly forceDestroy: boolean;
    /** Statements for the log writers (CloudTrail), added to the bucket's single policy. */
    readonly extraStatements?: (bucketArn: pulumi.Output<string>) => BucketPolicyStatement[];
}

export function auditLifecycle(s: StorageConfig): PrefixLifecycle[] {
    return [{
        id: "audit-archive",
        prefix: "",
        transitions: [{ days: s.auditToGlacierDays, storageClass: "GLACIER" }],
        expireDays: s.auditExpireDays,
    }];
}

export class AuditStore extends BucketComponent {
    constructor(name: string, args: AuditStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:storage:AuditStore", name, {
            keyArn: args.keyArn,
            lifecycle: auditLifecycle(args.storage),
            noncurrentVersionDays: args.storage.noncurrentVersionDays,
            extraStatements: args.extraStatements,
            forceDestroy: args.forceDestroy,
        }, opts);
    }
}
