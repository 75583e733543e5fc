/** IAM policy documents a resource carries, whatever its type (inline, attached, role-embedded). */
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
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

/**
 * What a set of identity policies decides for one request, by the IAM evaluation logic
 * (@cloud-copilot/iam-simulate), not by reading the JSON: explicit deny, then allow, else
 * implicit deny, with conditions evaluated against `context`. Synchronous, as rules are.
 */
export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface ProbeRequest {
    readonly principal: string;
    readonly action: string;
    readonly resource: string;
    readonly context?: Record<string, string | string[]>;
}

export function decide(policies: readonly unknown[], request: ProbeRequest): Decision {
    const account = request.principal.split(":")[4] || "000000000000";
    return runUnsafeSimulation({
        request: { principal: request.principal, action: request.action, resource: { resource: request.resource, accountId: account }, contextVariables: { ...request.context } },
        identityPolicies: policies.map((p, i) => ({ name: `policy-${i}`, policy: typeof p === "string" ? JSON.parse(p) : p })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
    }, {}) as Decision;
}

/** A policy granting everything: stands for whatever else a principal may be granted. */
export const ANY_OTHER_GRANT = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
