import type { ResourceRule, Violation } from "../lib/types";
import { POLICY_DOCUMENT_TYPES, decide, policyDocuments } from "../lib/iam";
import { isRecord, list, statements } from "../lib/values";

/**
 * Requests no scoped policy can allow: an action of a service no stack uses, on a resource of
 * another account, with and without MFA. A document that allows one of them allows every
 * action on every resource, however it is spelled ("*", "*:*", NotAction, NotResource).
 */
const PROBES: { action: string; resource: string; context: Record<string, string> }[] = [{ action: "mdetectprobe:AnyAction", resource: "arn:aws:mdetectprobe:us-east-1:000000000000:thing/x" }]
    .flatMap((p) => [{ ...p, context: { "aws:MultiFactorAuthPresent": "true" } }, { ...p, context: {} as Record<string, string> }]);
const PROBE_PRINCIPAL = "arn:aws:iam::000000000000:role/probe";

export const rule: ResourceRule = {
    kind: "resource",
    name: "iam-no-wildcard-admin",
    description: "No IAM policy allows every action on every resource (evaluated: an arbitrary action on an arbitrary resource is not allowed).",
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
            if (!parsed?.length) continue;
            // Each Allow statement on its own, so the report names the one that grants everything.
            // Deny statements alone never allow, so every statement can be probed the same way.
            const document = typeof doc === "string" ? JSON.parse(doc) : doc;
            for (const s of list(document.Statement).filter(isRecord)) {
                const alone = { Version: "2012-10-17", Statement: [s] };
                if (PROBES.some((p) => decide([alone], { principal: PROBE_PRINCIPAL, ...p }) === "Allowed")) {
                    violations.push({ message: `${r.name}: statement ${s.Sid ?? "(no Sid)"} allows every action on every resource` });
                }
            }
        }
        return violations;
    },
};
