import type { ResourceRule } from "../lib/types";
import { present } from "../lib/values";

export const rule: ResourceRule = {
    kind: "resource",
    name: "cloudtrail-encrypted",
    description: "CloudTrail trails encrypt their log files with a customer-managed KMS key.",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Set kmsKeyId on the trail to the DataKey ARN (its key policy admits cloudtrail.amazonaws.com).",
    types: ["aws:cloudtrail/trail:Trail"],
    check: (r) => present(r.props.kmsKeyId) ? [] : [{ message: `trail ${r.name} has no kmsKeyId` }],
};
