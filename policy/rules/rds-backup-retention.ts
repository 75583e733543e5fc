import type { ResourceRule } from "../lib/types";

interface Config { minDays: number }

export const rule: ResourceRule<Config> = {
    kind: "resource",
    name: "rds-backup-retention",
    description: "RDS automated backups are kept for at least the configured number of days.",
    severity: "medium",
    enforcementLevel: "mandatory",
    fix: "Set backupRetentionPeriod to at least the rule's minDays (mdetect:dbBackupRetentionDays).",
    configSchema: { properties: { minDays: { type: "integer", default: 7, minimum: 1, description: "Minimum automated backup retention in days." } } },
    types: ["aws:rds/instance:Instance", "aws:rds/cluster:Cluster"],
    check: (r, { config }) => {
        const days = Number(r.props.backupRetentionPeriod ?? 0);
        return days >= config.minDays ? [] : [{ message: `database ${r.name} keeps backups ${days} days, fewer than ${config.minDays}` }];
    },
};
