import type { StackRule } from "../lib/types";
import { parseSuppressions } from "../lib/suppressions";

interface Config { suppressions: string[] }

export const rule: StackRule<Config> = {
    kind: "stack",
    name: "suppression-reasons",
    description: "Every suppression names a rule of this pack and gives a written reason of at least 10 characters.",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Write each mdetect:policySuppressions entry as \"rule-name:resource-name=why this resource is an exception\".",
    configSchema: { properties: { suppressions: { type: "array", items: { type: "string" }, default: [], description: "Entries \"rule-name:resource-name=reason\" (from mdetect:policySuppressions)." } } },
    check: (_resources, { config, ruleNames }) => parseSuppressions(config.suppressions, ruleNames).errors.map((message) => ({ message })),
};
