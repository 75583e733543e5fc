import type { ResourceRule } from "../lib/types";
import { present } from "../lib/values";

export const rule: ResourceRule = {
    kind: "resource",
    name: "lambda-permission-source-arn",
    description: "Lambda permissions name the source ARN, so only that rule, bucket, topic or API can invoke the function.",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Set sourceArn on the aws.lambda.Permission (the EventBridge rule ARN, the API execution ARN with /*/*, ...).",
    types: ["aws:lambda/permission:Permission"],
    check: (r) => present(r.props.sourceArn) ? [] : [{ message: `permission ${r.name} lets ${String(r.props.principal)} invoke from any source` }],
};
