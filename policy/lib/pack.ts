/**
 * The CrossGuard adapter: turns the rule list into @pulumi/policy policies. Values the engine
 * cannot know during preview arrive as protocol sentinels; they become UNKNOWN here so rules can
 * answer "cannot judge" (reported by the advisory notes policy) instead of passing or crashing.
 */
import type { PolicyResource, Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { PackConfig, ResourceView, Rule, RuleContext } from "./types";
import { applySuppressions, ruleConfig, runResourceRule, runStackRule, NOTES_POLICY, SUPPRESSIONS_KEY, type Finding } from "./engine";
import { UNKNOWN } from "./values";

/** Pulumi's wire sentinels for unknown bool, number, string, array, asset, archive and object values. */
const UNKNOWN_SENTINELS = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", "3eeb2bf0-c639-47a8-9e75-3b44932eb421", "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", "030794c1-ac77-496b-92df-f27374a8bd58", "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);
/** @pulumi/policy wraps props in a proxy that throws on unknowns; this key returns the raw object. */
const PROXY_TARGET = "__getSpecialProxyTarget";

/** Plain JSON with UNKNOWN in place of unknown values; assets and other class instances kept as they are. */
export function plain(value: unknown): unknown {
    if (typeof value === "string") return UNKNOWN_SENTINELS.has(value) ? UNKNOWN : value;
    if (value === null || typeof value !== "object") return value;
    const target = (value as Record<string, unknown>)[PROXY_TARGET] ?? value;
    if (Array.isArray(target)) return target.map(plain);
    if (Object.getPrototypeOf(target) !== Object.prototype) return target;
    return Object.fromEntries(Object.entries(target as object).map(([k, v]) => [k, plain(v)]));
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` -> stack. */
export function stackOfUrn(urn: string): string {
    return urn.split("::")[0].split(":")[2] ?? "";
}

function schema(rule: Rule): any {
    return {
        properties: {
            ...rule.configSchema?.properties,
            [SUPPRESSIONS_KEY]: { type: "array", items: { type: "string" }, default: [], description: "\"rule-name:resource-name=reason\" entries (mdetect:policySuppressions)." },
        },
    };
}

function context(rule: Rule, given: object, stack: string, ruleNames: ReadonlySet<string>): RuleContext<any> {
    return { stack, ruleNames, config: ruleConfig(rule, { [rule.name]: given as Record<string, unknown> } as PackConfig) };
}

function view(r: { type: string; name: string; urn: string; props: unknown }): ResourceView {
    return { type: r.type, name: r.name, urn: r.urn, props: plain(r.props) as Record<string, unknown> };
}

function stackViews(resources: readonly PolicyResource[]): ResourceView[] {
    return resources.map((r) => ({
        ...view(r),
        propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([k, deps]) => [k, deps.map((d) => d.urn)])),
    }));
}

const reportable = (f: Finding) => !f.undetermined && !f.suppressed;

function resourcePolicy(rule: Extract<Rule, { kind: "resource" }>, ruleNames: ReadonlySet<string>): ResourceValidationPolicy {
    return {
        name: rule.name, description: rule.description, severity: rule.severity, enforcementLevel: rule.enforcementLevel,
        remediationSteps: rule.fix, configSchema: schema(rule),
        validateResource: (args, report) => {
            if (!rule.types.includes(args.type)) return;
            const ctx = context(rule, args.getConfig(), stackOfUrn(args.urn), ruleNames);
            const findings = applySuppressions(runResourceRule(rule, view(args), ctx), ctx.config[SUPPRESSIONS_KEY], ruleNames);
            findings.filter(reportable).forEach((f) => report(f.message));
        },
        remediateResource: rule.remediate && ((args) => {
            if (!rule.types.includes(args.type)) return undefined;
            return rule.remediate!(view(args), context(rule, args.getConfig(), stackOfUrn(args.urn), ruleNames));
        }),
    };
}

function stackPolicy(rule: Extract<Rule, { kind: "stack" }>, ruleNames: ReadonlySet<string>): StackValidationPolicy {
    return {
        name: rule.name, description: rule.description, severity: rule.severity, enforcementLevel: rule.enforcementLevel,
        remediationSteps: rule.fix, configSchema: schema(rule),
        validateStack: (args, report) => {
            const resources = stackViews(args.resources);
            const ctx = context(rule, args.getConfig(), stackOfUrn(resources[0]?.urn ?? ""), ruleNames);
            const findings = applySuppressions(runStackRule(rule, resources, ctx), ctx.config[SUPPRESSIONS_KEY], ruleNames);
            findings.filter(reportable).forEach((f) => report(f.message, f.resource?.urn));
        },
    };
}

/**
 * Advisory notes: what the rules could not judge during preview, and what is suppressed (with
 * the reason), so neither disappears silently from a real `pulumi preview`.
 */
function notesPolicy(rules: readonly Rule[], ruleNames: ReadonlySet<string>): StackValidationPolicy {
    return {
        name: NOTES_POLICY,
        description: "Advisory: findings the pack cannot judge until deploy, and suppressed findings with their reasons.",
        severity: "low", enforcementLevel: "advisory", configSchema: schema({ name: NOTES_POLICY } as Rule),
        validateStack: (args, report) => {
            const resources = stackViews(args.resources);
            const stack = stackOfUrn(resources[0]?.urn ?? "");
            const entries = (args.getConfig() as Record<string, unknown[]>)[SUPPRESSIONS_KEY] ?? [];
            for (const rule of rules) {
                const ctx = context(rule, {}, stack, ruleNames);
                const found = rule.kind === "resource" ? resources.flatMap((r) => runResourceRule(rule, r, ctx)) : runStackRule(rule, resources, ctx);
                for (const f of applySuppressions(found, entries, ruleNames)) {
                    if (f.suppressed) report(`[${f.rule}] suppressed: ${f.message} (reason: ${f.suppressed})`, f.resource?.urn);
                    else if (f.undetermined) report(`[${f.rule}] ${f.message}`, f.resource?.urn);
                }
            }
        },
    };
}

export function toPolicies(rules: readonly Rule[]): Policies {
    const ruleNames = new Set(rules.map((r) => r.name));
    return [
        ...rules.map((rule) => (rule.kind === "resource" ? resourcePolicy(rule, ruleNames) : stackPolicy(rule, ruleNames))),
        notesPolicy(rules, ruleNames),
    ];
}
