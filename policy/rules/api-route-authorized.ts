import type { ResourceRule } from "../lib/types";

export const rule: ResourceRule = {
    kind: "resource",
    name: "api-route-authorized",
    description: "Every HTTP API route has an authorizer (authorizationType is not NONE).",
    severity: "critical",
    enforcementLevel: "mandatory",
    fix: "Set authorizationType: \"JWT\" and authorizerId: the Cognito JWT authorizer on the route.",
    types: ["aws:apigatewayv2/route:Route"],
    check: (r) => {
        const type = String(r.props.authorizationType ?? "NONE");
        return type === "NONE" ? [{ message: `route ${String(r.props.routeKey ?? r.name)} (${r.name}) has no authorizer` }] : [];
    },
};
