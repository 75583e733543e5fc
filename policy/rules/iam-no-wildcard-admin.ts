import type { ResourceRule, Violation } from "../lib/types";
import { POLICY_DOCUMENT_TYPES, policyDocuments } from "../lib/iam";
import { statements } from "../lib/values";

const ANY_ACTION = new Set(["*", "*:*"]);

export const rule: ResourceRule = {
    kind: "resource",
    name: "iam-no-wildcard-admin",
    description: "No IAM policy allows every action on every resource (\"*\" on \"*\").",
    severity: "critical",
    enforcementLevel: "mandatory",
    fix: "List the actions the principal needs and scope Resource to this stack's ARNs and prefixes.",
    types: POLICY_DOCUMENT_TYPES,
    check: (r) => {
        const violations: Violation[] = [];
        for (const doc of policyDocuments(r)) {
            const parsed = statements(doc);
            if (parsed === "unknown") {
                violations.push({ undetermined: true, message: `${r.name}: policy document not known until deploy, cannot judge` });
                continue;
            }
            for (const s of parsed ?? []) {
                if (s.Effect === "Allow" && s.actions.some((a) => ANY_ACTION.has(String(a))) && s.resources.includes("*")) {
                    violations.push({ message: `${r.name}: statement ${s.Sid ?? "(no Sid)"} allows "*" on "*"` });
                }
            }
        }
        return violations;
    },
};
