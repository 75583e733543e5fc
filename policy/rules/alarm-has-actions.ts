import type { ResourceRule } from "../lib/types";
import { list } from "../lib/values";

export const rule: ResourceRule = {
    kind: "resource",
    name: "alarm-has-actions",
    description: "CloudWatch alarms notify someone (alarmActions set and actions enabled).",
    severity: "medium",
    enforcementLevel: "mandatory",
    fix: "Set alarmActions: [the ops topic ARN] (and leave actionsEnabled true).",
    types: ["aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/compositeAlarm:CompositeAlarm"],
    check: (r) => list(r.props.alarmActions).length > 0 && r.props.actionsEnabled !== false ? []
        : [{ message: `alarm ${r.name} has no action: nobody would be told` }],
};
