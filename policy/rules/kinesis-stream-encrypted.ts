import type { ResourceRule } from "../lib/types";
import { present } from "../lib/values";

export const rule: ResourceRule = {
    kind: "resource",
    name: "kinesis-stream-encrypted",
    description: "Kinesis data streams are encrypted at rest with a KMS key.",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Set encryptionType: \"KMS\" and kmsKeyId: the project's DataKey ARN on the stream.",
    types: ["aws:kinesis/stream:Stream"],
    check: (r) => r.props.encryptionType === "KMS" && present(r.props.kmsKeyId) ? []
        : [{ message: `stream ${r.name} is not KMS-encrypted (encryptionType ${String(r.props.encryptionType ?? "NONE")})` }],
};
