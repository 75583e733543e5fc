import type { ResourceRule } from "../lib/types";

interface Config { devStackPattern: string }

export const rule: ResourceRule<Config> = {
    kind: "resource",
    name: "rds-deletion-protection",
    description: "RDS databases have deletion protection outside dev stacks (dev trades durability for cost).",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Set deletionProtection: true (and skipFinalSnapshot: false with a finalSnapshotIdentifier) for this stack.",
    configSchema: { properties: { devStackPattern: { type: "string", default: "^dev(-.*)?$", description: "Regular expression of stack names exempt from deletion protection." } } },
    types: ["aws:rds/instance:Instance", "aws:rds/cluster:Cluster"],
    check: (r, { stack, config }) => {
        if (new RegExp(config.devStackPattern).test(stack) || r.props.deletionProtection === true) return [];
        return [{ message: `database ${r.name} has no deletion protection in stack ${stack}` }];
    },
};
