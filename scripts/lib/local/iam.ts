/**
 * IAM for the local cloud: a call is allowed when the real evaluator (@cloud-copilot/iam-simulate)
 * allows it for the caller's identity policies (the role's, from the plan) together with the
 * target's resource policy (bucket, queue, topic policy from the plan). Same account: an allow
 * in either suffices, an explicit deny anywhere wins (the documented evaluation logic).
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { PolicyDocument } from "./plan";
import { Principal } from "./principals";

export interface AuthorizationRequest {
    readonly principal: Principal;
    readonly action: string;
    readonly resource: string;
    readonly resourcePolicy?: PolicyDocument;
    readonly context?: Readonly<Record<string, string | string[]>>;
}

export interface Decision {
    readonly allowed: boolean;
    /** `Allowed`, `ExplicitlyDenied`, `ImplicitlyDenied`, or the evaluator's validation error. */
    readonly result: string;
}

export interface Authorizer {
    authorize(request: AuthorizationRequest): Promise<Decision>;
}

/**
 * iam-simulate (0.1.x) recognises variable condition keys only in the `prefix/name` form
 * (aws:PrincipalTag/x), so it drops `kms:EncryptionContext:<key>` context values and every
 * condition on them fails as "missing": a correct KMS statement would be denied. Until it
 * does, such keys are renamed, in policies and context alike, to a global key of the
 * `prefix/name` form (aws:PrincipalTag/kms-ec:<key>); operators and values are untouched,
 * so the condition means the same. Condition key names are case-insensitive either way.
 */
const ENCRYPTION_CONTEXT = /^kms:encryptioncontext:(.+)$/i;
export const evaluatedContextKey = (key: string) => key.replace(ENCRYPTION_CONTEXT, (_, k: string) => `aws:PrincipalTag/kms-ec:${k.toLowerCase()}`);
const rewritten = new WeakMap<object, PolicyDocument>();

export function withEncryptionContextKeys(policy: PolicyDocument): PolicyDocument {
    let out = rewritten.get(policy);
    if (!out) {
        out = {
            ...policy,
            Statement: [policy.Statement].flat().map((st) => !st.Condition ? st : {
                ...st,
                Condition: Object.fromEntries(Object.entries(st.Condition as Record<string, Record<string, unknown>>).map(([op, keys]) =>
                    [op, Object.fromEntries(Object.entries(keys).map(([k, v]) => [evaluatedContextKey(k), v]))])),
            }),
        };
        rewritten.set(policy, out);
    }
    return out;
}

export function iamAuthorizer(account: string, region: string): Authorizer {
    return {
        async authorize(request) {
            const response = await runSimulation({
                request: {
                    principal: request.principal.sessionArn,
                    action: request.action,
                    resource: { resource: request.resource, accountId: account },
                    contextVariables: {
                        ...(request.principal.roleArn ? { "aws:PrincipalArn": request.principal.roleArn, "aws:PrincipalAccount": account } : {}),
                        "aws:RequestedRegion": region,
                        // The fronts stand for AWS's TLS endpoints: the client-to-front hop is
                        // loopback, so TLS-only policies (DenyInsecureTransport) see a secure request.
                        "aws:SecureTransport": "true",
                        ...Object.fromEntries(Object.entries(request.context ?? {}).map(([k, v]) => [evaluatedContextKey(k), v])),
                    },
                },
                identityPolicies: request.principal.identityPolicies.map((p) => ({ name: p.name, policy: withEncryptionContextKeys(p.policy) })),
                serviceControlPolicies: [],
                resourceControlPolicies: [],
                resourcePolicy: request.resourcePolicy && withEncryptionContextKeys(request.resourcePolicy),
            }, {});
            if (response.resultType === "error") {
                return { allowed: false, result: `invalid simulation: ${JSON.stringify(response.errors).slice(0, 300)}` };
            }
            return { allowed: response.overallResult === "Allowed", result: response.overallResult };
        },
    };
}
