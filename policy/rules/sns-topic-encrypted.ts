import type { ResourceRule } from "../lib/types";
import { present } from "../lib/values";

export const rule: ResourceRule = {
    kind: "resource",
    name: "sns-topic-encrypted",
    description: "SNS topics are encrypted at rest with a KMS key.",
    severity: "medium",
    enforcementLevel: "mandatory",
    fix: "Set kmsMasterKeyId to the DataKey ARN (its key policy admits CloudWatch alarms).",
    types: ["aws:sns/topic:Topic"],
    check: (r) => present(r.props.kmsMasterKeyId) ? [] : [{ message: `topic ${r.name} has no kmsMasterKeyId` }],
};
