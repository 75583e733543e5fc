/** IAM policy documents a resource carries, whatever its type (inline, attached, role-embedded). */
import type { ResourceView } from "./types";
import { isRecord, list, prop } from "./values";

export const POLICY_DOCUMENT_TYPES = [
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/groupPolicy:GroupPolicy",
    "aws:iam/userPolicy:UserPolicy",
];

/** The policy documents of `r`: `policy`, or a role's inlinePolicies[].policy. */
export function policyDocuments(r: ResourceView): unknown[] {
    if (r.type === "aws:iam/role:Role") return list(r.props.inlinePolicies).filter(isRecord).map((p) => prop(p, "policy"));
    return [r.props.policy];
}
