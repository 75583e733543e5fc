/** IAM policy documents a resource carries, whatever its type (inline, attached, role-embedded). */
import * as path from "path";
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
    /** The target's resource policy (a bucket policy, a topic policy), evaluated with the identity policies. */
    readonly resourcePolicy?: unknown;
}

export function decide(policies: readonly unknown[], request: ProbeRequest): Decision {
    const account = request.principal.split(":")[4] || "000000000000";
    const json = (p: unknown) => (typeof p === "string" ? JSON.parse(p) : p);
    return authorizeUnvalidated({
        request: { principal: request.principal, action: request.action, resource: { resource: request.resource, accountId: account }, contextVariables: { ...request.context } },
        identityPolicies: policies.map((p, i) => ({ name: `policy-${i}`, policy: json(p) })),
        resourcePolicy: request.resourcePolicy === undefined ? undefined : json(request.resourcePolicy),
    }).result as Decision;
}

export interface UnvalidatedSimulation {
    readonly request: { principal: string; action: string; resource: { resource: string; accountId: string }; contextVariables: Record<string, string | string[]> };
    readonly identityPolicies: readonly { name: string; policy: unknown }[];
    readonly permissionBoundaryPolicies?: readonly { name: string; policy: unknown }[];
    readonly resourcePolicy?: unknown;
}

/**
 * The simulator's own evaluation core (its documented evaluation logic), synchronous and
 * without input validation, used directly because the packaged synchronous entry point
 * (runUnsafeSimulation) loads the resource policy without the name its analysis reads and
 * throws on any request with one. The modules are those of the installed iam-simulate.
 */
const dist = path.dirname(require.resolve("@cloud-copilot/iam-simulate"));
const core = require(path.join(dist, "core_engine/CoreSimulatorEngine.js"));
const { AwsRequestImpl } = require(path.join(dist, "request/request.js"));
const { RequestContextImpl } = require(path.join(dist, "requestContext.js"));
const { DiscoveryContextKeyConstraints } = require(path.join(dist, "context_keys/discoveryContextKeyConstraints.js"));
const { loadPolicy } = require(require.resolve("@cloud-copilot/iam-policy", { paths: [dist] }));

export function authorizeUnvalidated(sim: UnvalidatedSimulation): { result: string } {
    const request = new AwsRequestImpl(sim.request.principal, sim.request.resource, sim.request.action, new RequestContextImpl(sim.request.contextVariables));
    return core.authorize({
        request,
        sessionPolicy: undefined,
        identityPolicies: sim.identityPolicies.map((p) => loadPolicy(p.policy, { name: p.name })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: sim.resourcePolicy ? loadPolicy(sim.resourcePolicy, { name: "resource-policy" }) : undefined,
        permissionBoundaries: sim.permissionBoundaryPolicies?.map((p) => loadPolicy(p.policy, { name: p.name })),
        vpcEndpointPolicies: undefined,
        simulationParameters: { simulationMode: "Strict", discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
        serviceSettings: { s3: {} },
    });
}

/** A policy granting everything: stands for whatever else a principal may be granted. */
export const ANY_OTHER_GRANT = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
