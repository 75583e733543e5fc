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

export function iamAuthorizer(account: string, region: string): Authorizer {
    return {
        async authorize(request) {
            const response = await runSimulation({
                request: {
                    principal: request.principal.sessionArn,
                    action: request.action,
                    resource: { resource: request.resource, accountId: account },
                    contextVariables: {
                        "aws:PrincipalArn": request.principal.roleArn,
                        "aws:PrincipalAccount": account,
                        "aws:RequestedRegion": region,
                        // The fronts stand for AWS's TLS endpoints: the client-to-front hop is
                        // loopback, so TLS-only policies (DenyInsecureTransport) see a secure request.
                        "aws:SecureTransport": "true",
                        ...request.context,
                    },
                },
                identityPolicies: request.principal.identityPolicies.map((p) => ({ name: p.name, policy: p.policy })),
                serviceControlPolicies: [],
                resourceControlPolicies: [],
                resourcePolicy: request.resourcePolicy,
            }, {});
            if (response.resultType === "error") {
                return { allowed: false, result: `invalid simulation: ${JSON.stringify(response.errors).slice(0, 300)}` };
            }
            return { allowed: response.overallResult === "Allowed", result: response.overallResult };
        },
    };
}
