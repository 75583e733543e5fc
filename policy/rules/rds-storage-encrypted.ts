import type { ResourceRule } from "../lib/types";

export const rule: ResourceRule = {
    kind: "resource",
    name: "rds-storage-encrypted",
    description: "RDS instances and clusters encrypt their storage (and so their snapshots and backups).",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Set storageEncrypted: true and kmsKeyId: the DataKey ARN (encryption cannot be added later without a snapshot restore).",
    types: ["aws:rds/instance:Instance", "aws:rds/cluster:Cluster"],
    check: (r) => r.props.storageEncrypted === true ? [] : [{ message: `database ${r.name} has storageEncrypted ${String(r.props.storageEncrypted ?? false)}` }],
};
