import type { ResourceView, StackRule, Violation } from "../lib/types";
import { conditionValue, linked, ofType, refersTo, statements, type Statement } from "../lib/values";

const GROUP = "aws:iam/group:Group";

/** AWS's documented pattern: deny (everything but self-service MFA set-up) unless MFA is present. */
function isMfaGuard(s: Statement): boolean {
    const mfa = conditionValue(s, ["BoolIfExists", "Bool"], "aws:MultiFactorAuthPresent");
    return s.Effect === "Deny" && mfa !== undefined && mfa.includes("false") && s.resources.includes("*")
        && (s.notActions.length > 0 || s.actions.includes("*"));
}

/** The policy documents that apply to `group`, and whether some link could not be judged. */
function groupDocuments(resources: readonly ResourceView[], group: ResourceView): { docs: unknown[]; unknown: boolean } {
    const inline = linked(ofType(resources, "aws:iam/groupPolicy:GroupPolicy"), "group", group);
    const attachments = linked(ofType(resources, "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"), "group", group);
    const multi = linked(ofType(resources, "aws:iam/policyAttachment:PolicyAttachment"), "groups", group);
    const policies = ofType(resources, "aws:iam/policy:Policy");
    let unknown = inline.unknown.length + attachments.unknown.length + multi.unknown.length > 0;
    const docs = inline.yes.map((p) => p.props.policy);
    for (const attachment of [...attachments.yes, ...multi.yes]) {
        for (const policy of policies) {
            const link = refersTo(attachment, "policyArn", policy);
            if (link === "yes") docs.push(policy.props.policy);
            else if (link === "unknown") unknown = true;
        }
    }
    return { docs, unknown };
}

export const rule: StackRule = {
    kind: "stack",
    name: "iam-group-requires-mfa",
    description: "Every IAM group carries the deny-unless-aws:MultiFactorAuthPresent statement (inline or attached).",
    severity: "critical",
    enforcementLevel: "mandatory",
    fix: "Attach to the group AWS's documented MFA policy: Deny NotAction [the iam:*MFA* self-service actions, sts:GetSessionToken] on \"*\" with Condition BoolIfExists aws:MultiFactorAuthPresent \"false\".",
    check: (resources) => {
        const violations: Violation[] = [];
        for (const group of ofType(resources, GROUP)) {
            const { docs, unknown } = groupDocuments(resources, group);
            const parsed = docs.map(statements);
            const guarded = parsed.some((p) => Array.isArray(p) && p.some(isMfaGuard));
            if (guarded) continue;
            if (unknown || parsed.includes("unknown")) {
                violations.push({ resource: group, undetermined: true, message: `group ${group.name}: cannot judge during preview, its policies are not known until deploy` });
            } else {
                violations.push({ resource: group, message: `group ${group.name} has no policy denying access without MFA` });
            }
        }
        return violations;
    },
};
