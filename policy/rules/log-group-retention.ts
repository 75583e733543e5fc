import type { ResourceRule } from "../lib/types";

export const rule: ResourceRule = {
    kind: "resource",
    name: "log-group-retention",
    description: "CloudWatch log groups have an explicit retention (the default keeps logs, and bills them, forever).",
    severity: "medium",
    enforcementLevel: "mandatory",
    fix: "Set retentionInDays (mdetect:logRetentionDays) on the log group.",
    types: ["aws:cloudwatch/logGroup:LogGroup"],
    check: (r) => Number(r.props.retentionInDays ?? 0) > 0 ? [] : [{ message: `log group ${r.name} keeps logs forever (no retentionInDays)` }],
};
