import type { ResourceRule } from "../lib/types";
import { list } from "../lib/values";

/** AWS-managed policies granting a whole service (or everything): never least privilege. */
const BROAD_MANAGED = /^arn:aws[a-z-]*:iam::aws:policy\/(.*\/)?(.*FullAccess.*|AdministratorAccess|PowerUserAccess)$/;

export const rule: ResourceRule = {
    kind: "resource",
    name: "iam-no-managed-full-access",
    description: "No AWS-managed *FullAccess (or administrator) policy is attached; this catches CallbackFunction's default role.",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Give the function or principal its own role with an inline policy scoped to specific ARNs (infra/lambda.ts PipelineFunction does this).",
    types: [
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
        "aws:iam/role:Role",
    ],
    check: (r) => [...list(r.props.policyArn), ...list(r.props.managedPolicyArns)]
        .filter((arn) => BROAD_MANAGED.test(String(arn)))
        .map((arn) => ({ message: `${r.name} attaches the AWS-managed policy ${String(arn)}` })),
};
