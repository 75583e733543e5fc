import type { StackRule } from "../lib/types";
import { checkBucketSetting } from "../lib/s3";
import { deniesInsecureTransport, isUnknown, statements, type Statement } from "../lib/values";

/** The statement must cover the objects (".../*"), where the data is, not only the bucket. */
function coversObjects(s: Statement): boolean {
    return s.resources.some((r) => isUnknown(r) || String(r).endsWith("/*") || r === "*");
}

export const rule: StackRule = {
    kind: "stack",
    name: "s3-tls-only",
    description: "Every bucket has a bucket policy denying requests that do not use TLS (aws:SecureTransport false).",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Add an aws.s3.BucketPolicy with a Deny statement: Principal \"*\", Action \"s3:*\", Resource [bucket ARN, bucket ARN/*], Condition Bool aws:SecureTransport \"false\".",
    check: (resources) => checkBucketSetting(resources, "policy", "no bucket policy (nothing denies non-TLS requests)", (settings) => {
        const parsed = settings.map((s) => statements(s.props.policy));
        if (parsed.includes("unknown")) return { undetermined: "the bucket policy document is not known until deploy" };
        const all = parsed.flatMap((p) => (p === "unknown" ? [] : p ?? []));
        const ok = all.some((s) => deniesInsecureTransport(s) && s.actions.some((a) => a === "s3:*" || a === "*") && coversObjects(s));
        return ok ? undefined : "bucket policy does not deny non-TLS requests for s3:* on the bucket's objects";
    }),
};
