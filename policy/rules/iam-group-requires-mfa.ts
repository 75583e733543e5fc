import type { ResourceView, StackRule, Violation } from "../lib/types";
import { ANY_OTHER_GRANT, decide } from "../lib/iam";
import { linked, ofType, refersTo, statements } from "../lib/values";

const GROUP = "aws:iam/group:Group";
/** A call outside MFA self-service, which a session without MFA must not make. */
const PROBE = { action: "s3:GetObject", resource: "arn:aws:s3:::mdetect-mfa-probe/object" };
/** A console sign-in with a password only, and a long-term access key (the MFA key absent). */
const WITHOUT_MFA: Record<string, string>[] = [{ "aws:MultiFactorAuthPresent": "false" }, {}];

function accountOf(group: ResourceView): string {
    return String(group.props.arn ?? "").split(":")[4] || "000000000000";
}

/** The group's members with their real ARNs (path included), as IAM evaluates them. */
function members(resources: readonly ResourceView[], group: ResourceView): { name: string; arn: string }[] {
    const names = ofType(resources, "aws:iam/userGroupMembership:UserGroupMembership")
        .filter((m) => Array.isArray(m.props.groups) && (m.props.groups as unknown[]).some((g) => g === group.props.name))
        .map((m) => String(m.props.user));
    return ofType(resources, "aws:iam/user:User").filter((u) => names.includes(String(u.props.name))).map((u) => ({
        name: String(u.props.name),
        arn: `arn:aws:iam::${accountOf(group)}:user${u.props.path ?? "/"}${u.props.name}`,
    }));
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
    description: "Every IAM group's policies deny, by evaluation, any call without MFA (password-only session or long-term key) whatever else is granted, and still let each member enroll an MFA device on their own user.",
    severity: "critical",
    enforcementLevel: "mandatory",
    fix: "Attach to the group AWS's documented MFA policy: Deny NotAction [the iam:*MFA* self-service actions, sts:GetSessionToken] on \"*\" with Condition BoolIfExists aws:MultiFactorAuthPresent \"false\".",
    check: (resources) => {
        const violations: Violation[] = [];
        for (const group of ofType(resources, GROUP)) {
            const { docs, unknown } = groupDocuments(resources, group);
            const parsed = docs.map(statements);
            if (unknown || parsed.includes("unknown")) {
                violations.push({ resource: group, undetermined: true, message: `group ${group.name}: cannot judge during preview, its policies are not known until deploy` });
                continue;
            }
            const principal = `arn:aws:iam::${accountOf(group)}:user${group.props.path ?? "/"}mfa-probe`;
            const guarded = WITHOUT_MFA.every((context) => decide([...docs, ANY_OTHER_GRANT], { principal, ...PROBE, context }) === "ExplicitlyDenied");
            if (!guarded) {
                violations.push({ resource: group, message: `group ${group.name} has no policy denying access without MFA` });
                continue;
            }
            for (const user of members(resources, group)) {
                const enroll = decide(docs, { principal: user.arn, action: "iam:EnableMFADevice", resource: user.arn, context: { "aws:MultiFactorAuthPresent": "false", "aws:username": user.name } });
                if (enroll !== "Allowed") violations.push({ resource: group, message: `group ${group.name}: member ${user.name} (${user.arn}) cannot enroll an MFA device without MFA, so the guard locks them out` });
            }
        }
        return violations;
    },
};
