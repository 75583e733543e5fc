import type { StackRule } from "../lib/types";
import { checkBucketSetting } from "../lib/s3";
import { isRecord, list, prop, present } from "../lib/values";

interface Config { requireCustomerKey: boolean }

const KMS_ALGORITHMS = new Set(["aws:kms", "aws:kms:dsse"]);

export const rule: StackRule<Config> = {
    kind: "stack",
    name: "s3-sse-kms",
    description: "Every bucket has default encryption with SSE-KMS (a BucketServerSideEncryptionConfiguration linked to it).",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket: sseAlgorithm \"aws:kms\", kmsMasterKeyId the DataKey ARN, bucketKeyEnabled true.",
    configSchema: { properties: { requireCustomerKey: { type: "boolean", default: true, description: "Require a customer-managed key (kmsMasterKeyId), not the aws/s3 key." } } },
    check: (resources, { config }) => checkBucketSetting(resources, "encryption", "no server-side encryption configuration", (settings) => {
        const rules = settings.flatMap((s) => list(s.props.rules)).filter(isRecord);
        const byDefault = rules.map((r) => prop(r, "applyServerSideEncryptionByDefault"));
        if (byDefault.length === 0) return "encryption configuration has no default rule";
        if (!byDefault.every((d) => KMS_ALGORITHMS.has(String(prop(d, "sseAlgorithm"))))) return "default encryption is not SSE-KMS";
        if (config.requireCustomerKey && !byDefault.every((d) => present(prop(d, "kmsMasterKeyId")))) return "SSE-KMS without a customer-managed kmsMasterKeyId";
        return undefined;
    }),
};
