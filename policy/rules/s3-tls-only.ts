import type { StackRule } from "../lib/types";
import { checkBucketSetting } from "../lib/s3";
import { decide } from "../lib/iam";
import { statements } from "../lib/values";

/**
 * Requests over plain HTTP the bucket policy must deny explicitly, whatever else the caller is
 * granted: reading, writing and deleting an object, and listing the bucket. Evaluated by the IAM
 * logic (@cloud-copilot/iam-simulate), so any spelling that denies them passes ("s3:*", a list,
 * NotAction) and a deny that misses the objects or some actions fails.
 */
const PROBES: { action: string; object: boolean }[] = [
    { action: "s3:GetObject", object: true },
    { action: "s3:PutObject", object: true },
    { action: "s3:DeleteObject", object: true },
    { action: "s3:ListBucket", object: false },
];
const PROBE_PRINCIPAL = "arn:aws:iam::000000000000:role/tls-probe";
const PLAIN_HTTP = { "aws:SecureTransport": "false" };

export const rule: StackRule = {
    kind: "stack",
    name: "s3-tls-only",
    description: "Every bucket has a bucket policy denying requests that do not use TLS (evaluated: object reads, writes, deletes and listing over plain HTTP are explicitly denied).",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Add an aws.s3.BucketPolicy with a Deny statement: Principal \"*\", Action \"s3:*\", Resource [bucket ARN, bucket ARN/*], Condition Bool aws:SecureTransport \"false\".",
    check: (resources) => checkBucketSetting(resources, "policy", "no bucket policy (nothing denies non-TLS requests)", (settings, bucket) => {
        const parsed = settings.map((s) => statements(s.props.policy));
        const name = bucket.props.bucket;
        if (parsed.includes("unknown") || typeof name !== "string") return { undetermined: "the bucket policy document or the bucket name is not known until deploy" };
        // One bucket has one policy; several resources would each replace it, so each must hold on its own.
        const documents = settings.map((s) => s.props.policy);
        // An explicit deny wins over any grant, so no identity policy is needed for the probe.
        const open = PROBES.filter((p) => !documents.every((policy) => decide([], {
            principal: PROBE_PRINCIPAL, action: p.action, resource: `arn:aws:s3:::${name}${p.object ? "/tls-probe" : ""}`, context: PLAIN_HTTP, resourcePolicy: policy,
        }) === "ExplicitlyDenied"));
        return open.length ? `bucket policy does not deny ${open.map((p) => p.action).join(", ")} without TLS on the bucket's ${open.some((p) => p.object) ? "objects" : "listing"}` : undefined;
    }),
};
