/**
 * S3 settings live in resources separate from the bucket (lifecycle, encryption, public access
 * block, policy). These helpers link each bucket to its setting resources, so a stack rule can
 * catch a bucket whose setting is missing, incomplete, or (during preview) not yet linkable.
 */
import type { ResourceView, Violation } from "./types";
import { linked, ofType } from "./values";

export const BUCKET = "aws:s3/bucket:Bucket";
/** Current names first; the V2 names are aliases kept by @pulumi/aws for older programs. */
const SETTING_TYPES: Record<string, string[]> = {
    lifecycle: ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"],
    encryption: ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"],
    publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    policy: ["aws:s3/bucketPolicy:BucketPolicy"],
};

/** What is wrong (a message), nothing (compliant), or what could not be judged during preview. */
export type Verdict = string | { undetermined: string } | undefined;

export type BucketSetting = keyof typeof SETTING_TYPES;

export function buckets(resources: readonly ResourceView[]): ResourceView[] {
    return ofType(resources, BUCKET, "aws:s3/bucketV2:BucketV2");
}

/**
 * For every bucket: finds its `setting` resources and asks `judge` what is wrong with them
 * (undefined = compliant). A bucket without any is reported with `missing`; one whose links are
 * unknown during preview is reported as undetermined.
 */
export function checkBucketSetting(
    resources: readonly ResourceView[],
    setting: BucketSetting,
    missing: string,
    judge: (settings: ResourceView[], bucket: ResourceView) => Verdict,
): Violation[] {
    const candidates = ofType(resources, ...SETTING_TYPES[setting]);
    const violations: Violation[] = [];
    for (const bucket of buckets(resources)) {
        const { yes, unknown } = linked(candidates, "bucket", bucket);
        if (yes.length > 0) {
            const verdict = judge(yes, bucket);
            if (typeof verdict === "string") violations.push({ resource: bucket, message: `bucket ${bucket.name}: ${verdict}` });
            else if (verdict) violations.push({ resource: bucket, undetermined: true, message: `bucket ${bucket.name}: cannot judge during preview, ${verdict.undetermined}` });
        } else if (unknown.length > 0) {
            violations.push({
                resource: bucket, undetermined: true,
                message: `bucket ${bucket.name}: cannot judge during preview, ${unknown.map((u) => u.name).join(", ")} refer to a bucket not known until deploy`,
            });
        } else {
            violations.push({ resource: bucket, message: `bucket ${bucket.name}: ${missing}` });
        }
    }
    return violations;
}
