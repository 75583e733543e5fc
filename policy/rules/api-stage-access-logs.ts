import type { ResourceRule } from "../lib/types";
import { prop, present } from "../lib/values";

export const rule: ResourceRule = {
    kind: "resource",
    name: "api-stage-access-logs",
    description: "API stages write access logs (destination and format).",
    severity: "medium",
    enforcementLevel: "mandatory",
    fix: "Set accessLogSettings: { destinationArn: a log group with retention, format: a JSON access-log format } on the stage.",
    types: ["aws:apigatewayv2/stage:Stage"],
    check: (r) => present(prop(r.props, "accessLogSettings.destinationArn")) && present(prop(r.props, "accessLogSettings.format")) ? []
        : [{ message: `stage ${r.name} has no access log destination and format` }],
};
