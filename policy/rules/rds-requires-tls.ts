import type { StackRule, Violation } from "../lib/types";
import { isRecord, list, ofType, refersTo } from "../lib/values";

const PARAMETER = "require_secure_transport";
const ON = new Set(["1", "on", "true"]);

export const rule: StackRule = {
    kind: "stack",
    name: "rds-requires-tls",
    description: "Every RDS instance uses a parameter group of this stack that sets require_secure_transport to 1.",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Give the instance an aws.rds.ParameterGroup with parameters [{ name: \"require_secure_transport\", value: \"1\" }] and set parameterGroupName to it.",
    check: (resources) => {
        const violations: Violation[] = [];
        const groups = ofType(resources, "aws:rds/parameterGroup:ParameterGroup");
        for (const db of ofType(resources, "aws:rds/instance:Instance")) {
            const links = groups.map((g) => ({ g, link: refersTo(db, "parameterGroupName", g) }));
            const group = links.find((l) => l.link === "yes")?.g;
            if (group) {
                const tls = list(group.props.parameters).filter(isRecord).some((p) => p.name === PARAMETER && ON.has(String(p.value).toLowerCase()));
                if (!tls) violations.push({ resource: db, message: `database ${db.name}: parameter group ${group.name} does not set ${PARAMETER}=1` });
            } else if (links.some((l) => l.link === "unknown")) {
                violations.push({ resource: db, undetermined: true, message: `database ${db.name}: cannot judge during preview, its parameter group is not known until deploy` });
            } else {
                violations.push({ resource: db, message: `database ${db.name} uses no parameter group of this stack (the default does not require TLS)` });
            }
        }
        return violations;
    },
};
