import type { ResourceRule } from "../lib/types";

export const rule: ResourceRule = {
    kind: "resource",
    name: "rds-not-public",
    description: "RDS instances are not publicly accessible.",
    severity: "critical",
    enforcementLevel: "mandatory",
    fix: "Set publiclyAccessible: false and place the instance in private subnets; reach it from Lambdas in the VPC.",
    types: ["aws:rds/instance:Instance"],
    check: (r) => r.props.publiclyAccessible === true ? [{ message: `database ${r.name} is publicly accessible` }] : [],
};
