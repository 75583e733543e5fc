import type { ResourceRule } from "../lib/types";
import { present } from "../lib/values";

export const rule: ResourceRule = {
    kind: "resource",
    name: "sqs-queue-encrypted",
    description: "SQS queues (dead-letter queues included) are encrypted at rest with KMS or SQS-managed SSE.",
    severity: "medium",
    enforcementLevel: "mandatory",
    fix: "Set kmsMasterKeyId to the DataKey ARN (or sqsManagedSseEnabled: true).",
    types: ["aws:sqs/queue:Queue"],
    check: (r) => present(r.props.kmsMasterKeyId) || r.props.sqsManagedSseEnabled === true ? []
        : [{ message: `queue ${r.name} is not encrypted (no kmsMasterKeyId, sqsManagedSseEnabled not true)` }],
};
