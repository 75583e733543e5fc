/**
 * What a fresh account needs before the first `pulumi stack init`: a bucket for Pulumi's state
 * and a KMS key for the stack secrets (`awskms://` secrets provider). They hold the stacks' own
 * state, so no stack can create them; this creates them once through the AWS SDK, and finds
 * them again on a second run (idempotent), changing nothing that exists.
 *
 * The state bucket: versioned (a bad update can be rolled back to an earlier checkpoint), all
 * public access blocked, bucket-owner-enforced, TLS only, SSE-S3 by default (the secrets inside
 * the state are encrypted again with the KMS key), old checkpoint versions expired.
 */
import {
    S3Client, HeadBucketCommand, CreateBucketCommand, PutPublicAccessBlockCommand, PutBucketVersioningCommand,
    PutBucketEncryptionCommand, PutBucketPolicyCommand, PutBucketLifecycleConfigurationCommand,
} from "@aws-sdk/client-s3";
import { KMSClient, DescribeKeyCommand, CreateKeyCommand, EnableKeyRotationCommand, CreateAliasCommand } from "@aws-sdk/client-kms";

export const SECRETS_KEY_ALIAS = "alias/mdetect-pulumi-secrets";
/** Earlier state checkpoints stay this long for a rollback. */
const NONCURRENT_STATE_DAYS = 90;
/** S3 bucket names: 3-63 lower-case letters, digits, hyphens, dots; start and end alphanumeric. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface BootstrapOptions {
    readonly region: string;
    readonly account: string;
    readonly bucket?: string;
    /** false: look only, create nothing. */
    readonly apply: boolean;
}

export interface BootstrapResult {
    readonly bucket: string;
    readonly keyArn?: string;
    readonly actions: string[];
}

export function stateBucketName(account: string, region: string): string {
    return `mdetect-pulumi-state-${account}-${region}`;
}

function isNotFound(err: unknown): boolean {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e?.name === "NotFound" || e?.name === "NoSuchBucket" || e?.name === "NotFoundException" || e?.$metadata?.httpStatusCode === 404;
}

async function ensureBucket(s3: S3Client, bucket: string, region: string, apply: boolean, actions: string[]): Promise<void> {
    try {
        await s3.send(new HeadBucketCommand({ Bucket: bucket }));
        actions.push(`state bucket ${bucket}: exists, left as it is`);
        return;
    } catch (err) {
        if (!isNotFound(err)) throw err;
    }
    if (!apply) {
        actions.push(`state bucket ${bucket}: would create (versioned, private, TLS only)`);
        return;
    }
    // us-east-1 is the default location and refuses an explicit LocationConstraint.
    await s3.send(new CreateBucketCommand({
        Bucket: bucket, ObjectOwnership: "BucketOwnerEnforced",
        ...(region === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: region as any } }),
    }));
    await s3.send(new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    await s3.send(new PutBucketEncryptionCommand({
        Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] },
    }));
    await s3.send(new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{
                Sid: "TlsOnly", Effect: "Deny", Principal: "*", Action: "s3:*",
                Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            }],
        }),
    }));
    await s3.send(new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: { Rules: [{
            ID: "expire-old-checkpoints", Status: "Enabled", Filter: { Prefix: "" },
            NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_STATE_DAYS },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        }] },
    }));
    actions.push(`state bucket ${bucket}: created (versioned, private, TLS only, SSE-S3)`);
}

async function ensureKey(kms: KMSClient, apply: boolean, actions: string[]): Promise<string | undefined> {
    try {
        const found = await kms.send(new DescribeKeyCommand({ KeyId: SECRETS_KEY_ALIAS }));
        actions.push(`secrets key ${SECRETS_KEY_ALIAS}: exists (${found.KeyMetadata?.Arn}), left as it is`);
        return found.KeyMetadata?.Arn;
    } catch (err) {
        if (!isNotFound(err)) throw err;
    }
    if (!apply) {
        actions.push(`secrets key ${SECRETS_KEY_ALIAS}: would create (symmetric, yearly rotation)`);
        return undefined;
    }
    const created = await kms.send(new CreateKeyCommand({
        Description: "Pulumi stack secrets of the mDetect pipeline (awskms:// secrets provider)",
        KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT",
        Tags: [{ TagKey: "project", TagValue: "mdetect" }],
    }));
    const keyId = created.KeyMetadata!.KeyId!;
    await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
    await kms.send(new CreateAliasCommand({ AliasName: SECRETS_KEY_ALIAS, TargetKeyId: keyId }));
    actions.push(`secrets key ${SECRETS_KEY_ALIAS}: created (${created.KeyMetadata!.Arn})`);
    return created.KeyMetadata!.Arn;
}

export async function bootstrap(options: BootstrapOptions, clients: { s3: S3Client; kms: KMSClient }): Promise<BootstrapResult> {
    const bucket = options.bucket ?? stateBucketName(options.account, options.region);
    if (!BUCKET_NAME.test(bucket)) throw new Error(`'${bucket}' is not a valid S3 bucket name (3-63 lower-case letters, digits, '-', '.')`);
    const actions: string[] = [];
    await ensureBucket(clients.s3, bucket, options.region, options.apply, actions);
    const keyArn = await ensureKey(clients.kms, options.apply, actions);
    return { bucket, keyArn, actions };
}

/** What to run next, with the names this account got. */
export function nextSteps(result: BootstrapResult, region: string): string[] {
    return [
        `pulumi login 's3://${result.bucket}?region=${region}'`,
        `pulumi stack init dev --secrets-provider='awskms://${SECRETS_KEY_ALIAS}?region=${region}'`,
        `pulumi stack init prod --secrets-provider='awskms://${SECRETS_KEY_ALIAS}?region=${region}'`,
    ];
}
