import type { StackRule } from "../lib/types";
import { checkBucketSetting } from "../lib/s3";
import { isRecord, list, prop } from "../lib/values";

interface Config { maxDays: number }

const GLACIER_CLASSES = new Set(["GLACIER", "DEEP_ARCHIVE", "GLACIER_IR"]);

/** A rule without a prefix (or with an empty one) applies to the whole bucket. */
function wholeBucket(rule: Record<string, unknown>): boolean {
    const prefix = prop(rule, "filter.prefix") ?? prop(rule, "prefix");
    const and = prop(rule, "filter.and");
    return (prefix === undefined || prefix === "") && and === undefined && prop(rule, "filter.tag") === undefined;
}

export const rule: StackRule<Config> = {
    kind: "stack",
    name: "s3-lifecycle-glacier",
    description: "Every bucket has a lifecycle configuration that moves data to a Glacier class within maxDays and aborts incomplete multipart uploads bucket-wide.",
    severity: "medium",
    enforcementLevel: "mandatory",
    fix: "Add an aws.s3.BucketLifecycleConfiguration for the bucket with a transition to GLACIER, DEEP_ARCHIVE or GLACIER_IR within maxDays, and a whole-bucket rule with abortIncompleteMultipartUpload.",
    configSchema: { properties: { maxDays: { type: "integer", default: 365, minimum: 0, description: "Latest age (days) by which some data must reach a Glacier class." } } },
    check: (resources, { config }) => checkBucketSetting(resources, "lifecycle", "no lifecycle configuration", (settings) => {
        const rules = settings.flatMap((s) => list(s.props.rules)).filter(isRecord).filter((r) => r.status === "Enabled");
        const problems: string[] = [];
        const toGlacier = rules.some((r) => list(r.transitions).some((t) =>
            GLACIER_CLASSES.has(String(prop(t, "storageClass"))) && Number(prop(t, "days") ?? Infinity) <= config.maxDays));
        if (!toGlacier) problems.push(`no enabled rule moves data to a Glacier class within ${config.maxDays} days`);
        if (!rules.some((r) => wholeBucket(r) && prop(r, "abortIncompleteMultipartUpload.daysAfterInitiation") !== undefined)) {
            problems.push("no enabled whole-bucket rule aborts incomplete multipart uploads");
        }
        return problems.length > 0 ? problems.join("; ") : undefined;
    }),
};
