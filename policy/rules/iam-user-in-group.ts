import type { StackRule, Violation } from "../lib/types";
import { linked, list, ofType } from "../lib/values";

/** Groups carry the MFA guard and the role-based permissions; a user outside one escapes both. */
export const rule: StackRule = {
    kind: "stack",
    name: "iam-user-in-group",
    description: "Every IAM user belongs to at least one group (where MFA and permissions are enforced).",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Add the user to a group with aws.iam.UserGroupMembership (mdetect:iamUsers \"name=group+group\").",
    check: (resources) => {
        const violations: Violation[] = [];
        const memberships = ofType(resources, "aws:iam/userGroupMembership:UserGroupMembership").filter((m) => list(m.props.groups).length > 0);
        const groupMemberships = ofType(resources, "aws:iam/groupMembership:GroupMembership");
        for (const user of ofType(resources, "aws:iam/user:User")) {
            const a = linked(memberships, "user", user);
            const b = linked(groupMemberships, "users", user);
            if (a.yes.length + b.yes.length > 0) continue;
            const undetermined = a.unknown.length + b.unknown.length > 0;
            violations.push({
                resource: user, undetermined,
                message: undetermined ? `user ${user.name}: cannot judge during preview, group memberships refer to users not known until deploy` : `user ${user.name} is in no group`,
            });
        }
        return violations;
    },
};
