/**
 * HardenedBucket: every S3 bucket of the pipeline, built the same way.
 *
 * - SSE-KMS with the project's DataKey and an S3 Bucket Key (one KMS call per bucket-key
 *   lifetime instead of per object: KMS requests cost more than the storage of small objects).
 * - Versioning, ACLs disabled (BucketOwnerEnforced), all four public access blocks.
 * - One bucket policy (S3 allows one): deny any request without TLS, plus the caller's statements.
 * - One lifecycle configuration (S3 allows one): the caller's per-prefix rules, validated against
 *   the constraints S3 enforces, plus bucket-wide hygiene (abort incomplete multipart uploads,
 *   expire noncurrent versions and the delete markers they leave).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Parts of abandoned multipart uploads are billed as storage until aborted; a week outlasts any upload in progress. */
export const ABORT_MULTIPART_DAYS = 7;
/** S3 rejects transitions to Standard-IA before day 30, and out of Standard-IA within 30 days of entering it. */
export const STANDARD_IA_MINIMUM_DAYS = 30;
/** Lifecycle rule ids are at most 255 characters (S3 API LifecycleRule.ID). */
const RULE_ID_MAX = 255;
/**
 * Objects under 128 KB are not transitioned: the per-object transition request and the 40 KB
 * archive overhead cost more than they save. This is S3's default, stated so a change is visible.
 */
const TRANSITION_MINIMUM_OBJECT_SIZE = "all_storage_classes_128K";

/** The storage-class waterfall, coldest last: S3 only transitions downwards. */
const WATERFALL = ["STANDARD_IA", "GLACIER", "DEEP_ARCHIVE"] as const;
export type ColdStorageClass = (typeof WATERFALL)[number];

export interface Transition {
    readonly days: number;
    readonly storageClass: ColdStorageClass;
}

export interface PrefixLifecycle {
    /** Rule id, unique within the bucket. */
    readonly id: string;
    /** Key prefix the rule applies to (one of functions/layout.ts PREFIX, or a sub-prefix). */
    readonly prefix: string;
    /** Transitions, in waterfall order with increasing ages. */
    readonly transitions?: readonly Transition[];
    /** Age at which current versions expire; undefined or 0 keeps them. */
    readonly expireDays?: number;
}

/** A resource-policy statement (needs a Principal, unlike the role statements in lambda.ts). */
export interface BucketPolicyStatement {
    readonly Sid: string;
    readonly Effect: "Allow" | "Deny";
    readonly Principal: unknown;
    readonly Action: string | string[];
    readonly Resource: pulumi.Input<string> | pulumi.Input<string>[];
    readonly Condition?: Record<string, unknown>;
}

export interface HardenedBucketArgs {
    /** ARN of the KMS key that encrypts every object by default. */
    readonly keyArn: pulumi.Input<string>;
    readonly lifecycle: readonly PrefixLifecycle[];
    /** Days a noncurrent version is kept before it expires. */
    readonly noncurrentVersionDays: number;
    /** Extra policy statements (e.g. CloudTrail's write access to the audit bucket). */
    readonly extraStatements?: (bucketArn: pulumi.Output<string>) => BucketPolicyStatement[];
    /** Let `pulumi destroy` empty the bucket (dev stacks only). */
    readonly forceDestroy?: boolean;
}

export class LifecycleError extends Error {}

/** Throws LifecycleError for rules S3 would reject (or that would silently do nothing). */
export function validateLifecycle(rules: readonly PrefixLifecycle[]): void {
    const fail = (rule: PrefixLifecycle, message: string): never => {
        throw new LifecycleError(`lifecycle rule '${rule.id}' (prefix '${rule.prefix}'): ${message}`);
    };
    const ids = new Set<string>();
    const prefixes = new Set<string>();
    for (const rule of rules) {
        if (!/^[A-Za-z0-9._-]+$/.test(rule.id) || rule.id.length > RULE_ID_MAX) fail(rule, "id must be 1-255 characters of [A-Za-z0-9._-]");
        if (ids.has(rule.id)) fail(rule, "duplicate id");
        if (prefixes.has(rule.prefix)) fail(rule, "another rule already covers this prefix");
        ids.add(rule.id);
        prefixes.add(rule.prefix);
        const transitions = rule.transitions ?? [];
        const expire = rule.expireDays ?? 0;
        if (transitions.length === 0 && expire === 0) fail(rule, "a rule needs at least one transition or an expiry");
        let previous: Transition | undefined;
        for (const t of transitions) {
            if (!Number.isInteger(t.days) || t.days < 0) fail(rule, `${t.storageClass} after ${t.days} days: days must be a non-negative integer`);
            if (t.storageClass === "STANDARD_IA" && t.days < STANDARD_IA_MINIMUM_DAYS) {
                fail(rule, `STANDARD_IA after ${t.days} days: S3 requires at least ${STANDARD_IA_MINIMUM_DAYS}`);
            }
            if (previous) {
                if (WATERFALL.indexOf(t.storageClass) <= WATERFALL.indexOf(previous.storageClass)) {
                    fail(rule, `${t.storageClass} cannot follow ${previous.storageClass} (transitions only go colder)`);
                }
                if (t.days <= previous.days) fail(rule, `${t.storageClass} at ${t.days} days must come after ${previous.storageClass} at ${previous.days}`);
                if (previous.storageClass === "STANDARD_IA" && t.days < previous.days + STANDARD_IA_MINIMUM_DAYS) {
                    fail(rule, `${t.storageClass} at ${t.days} days: objects must stay ${STANDARD_IA_MINIMUM_DAYS} days in STANDARD_IA`);
                }
            }
            previous = t;
        }
        if (!Number.isInteger(expire) || expire < 0) fail(rule, `expiry ${expire}: days must be a non-negative integer`);
        if (expire > 0 && previous && expire <= previous.days) fail(rule, `expiry at ${expire} days must come after the last transition (${previous.days})`);
    }
}

/** The bucket-wide rule every bucket gets, and the caller's rules, in the provider's shape. */
export function lifecycleRules(rules: readonly PrefixLifecycle[], noncurrentVersionDays: number): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
    validateLifecycle(rules);
    if (!Number.isInteger(noncurrentVersionDays) || noncurrentVersionDays < 1) {
        throw new LifecycleError(`noncurrentVersionDays must be a positive integer, got ${noncurrentVersionDays}`);
    }
    return [
        {
            id: "bucket-hygiene",
            status: "Enabled",
            // An explicit empty prefix: the provider warns that a rule without filter or prefix will become an error.
            filter: { prefix: "" },
            abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_MULTIPART_DAYS },
            noncurrentVersionExpiration: { noncurrentDays: noncurrentVersionDays },
            expiration: { expiredObjectDeleteMarker: true },
        },
        ...rules.map((rule) => ({
            id: rule.id,
            status: "Enabled",
            filter: { prefix: rule.prefix },
            transitions: rule.transitions?.map((t) => ({ days: t.days, storageClass: t.storageClass })),
            expiration: rule.expireDays ? { days: rule.expireDays } : undefined,
        })),
    ];
}

/** Denies every request that does not use TLS, for the bucket and its objects. */
export function denyInsecureTransport(bucketArn: pulumi.Output<string>): BucketPolicyStatement {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

export class HardenedBucket extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.Bucket;
    public readonly name: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: HardenedBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:storage:HardenedBucket", name, {}, opts);
        const rules = lifecycleRules(args.lifecycle, args.noncurrentVersionDays);

        this.bucket = new aws.s3.Bucket(name, { forceDestroy: args.forceDestroy ?? false }, { parent: this });
        this.name = this.bucket.bucket;
        this.arn = this.bucket.arn;
        const bucket = this.bucket.id;

        // The block goes first: S3 answers 409 OperationAborted when a policy lands concurrently
        // (pulumi/pulumi-aws#1570), and nothing public must ever exist, even for a moment.
        const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(name, {
            bucket,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, { parent: this });
        const ownership = new aws.s3.BucketOwnershipControls(name, {
            bucket,
            rule: { objectOwnership: "BucketOwnerEnforced" },
        }, { parent: this, dependsOn: [publicAccessBlock] });
        const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(name, {
            bucket,
            rules: [{
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.keyArn },
                bucketKeyEnabled: true,
            }],
        }, { parent: this, dependsOn: [ownership] });
        const versioning = new aws.s3.BucketVersioning(name, {
            bucket,
            versioningConfiguration: { status: "Enabled" },
        }, { parent: this, dependsOn: [encryption] });
        const policy = new aws.s3.BucketPolicy(name, {
            bucket,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [denyInsecureTransport(this.arn), ...(args.extraStatements?.(this.arn) ?? [])],
            }),
        }, { parent: this, dependsOn: [versioning] });
        // Noncurrent-version rules only mean something once versioning is on.
        new aws.s3.BucketLifecycleConfiguration(name, {
            bucket,
            rules,
            transitionDefaultMinimumObjectSize: TRANSITION_MINIMUM_OBJECT_SIZE,
        }, { parent: this, dependsOn: [policy] });

        this.registerOutputs({ name: this.name, arn: this.arn });
    }
}
