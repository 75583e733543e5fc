import type { ResourceRule } from "../lib/types";
import { isUnknown, prop } from "../lib/values";

function positive(value: unknown): boolean {
    return isUnknown(value) || (typeof value === "number" && value > 0);
}

export const rule: ResourceRule = {
    kind: "resource",
    name: "api-stage-throttling",
    description: "API stages throttle the default route (rate and burst), capping cost and abuse.",
    severity: "medium",
    enforcementLevel: "mandatory",
    fix: "Set defaultRouteSettings: { throttlingRateLimit, throttlingBurstLimit } on the stage (mdetect:apiThrottleRatePerSecond / apiThrottleBurst).",
    types: ["aws:apigatewayv2/stage:Stage"],
    check: (r) => positive(prop(r.props, "defaultRouteSettings.throttlingRateLimit")) && positive(prop(r.props, "defaultRouteSettings.throttlingBurstLimit")) ? []
        : [{ message: `stage ${r.name} has no default route throttling (rate and burst > 0)` }],
};
