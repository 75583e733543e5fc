/**
 * Runs the pack's rules over recorded resources: the offline `mdetect policy` run and the
 * CrossGuard adapter both call these functions, so there is one implementation of every rule.
 */
import type { EnforcementLevel, PackConfig, ResourceView, Rule, RuleContext, Severity, Violation } from "./types";
import { parseSuppressions, suppressionFor, type Suppression } from "./suppressions";

/** A resource as recorded by a run: inputs (what resource rules see) and outputs (stack rules). */
export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly inputs: Record<string, unknown>;
    readonly outputs: Record<string, unknown>;
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export interface Finding {
    readonly rule: string;
    readonly severity: Severity;
    /** advisory for undetermined findings, whatever the rule's level. */
    readonly enforcementLevel: EnforcementLevel;
    readonly resource?: { readonly type: string; readonly name: string; readonly urn: string };
    readonly message: string;
    readonly fix: string;
    readonly undetermined: boolean;
    /** The written reason, when a valid suppression covers this finding. */
    readonly suppressed?: string;
}

/** The advisory policy reporting undetermined and suppressed findings in a real preview. */
export const NOTES_POLICY = "advisory-notes";

/** The config key every rule accepts: "rule-name:resource-name=reason" entries. */
export const SUPPRESSIONS_KEY = "suppressions";

/** A rule's config: its schema defaults overlaid with the pack config's entry for it. */
export function ruleConfig(rule: Rule, packConfig: PackConfig = {}): any {
    const defaults = Object.fromEntries(Object.entries(rule.configSchema?.properties ?? {}).map(([k, p]) => [k, p.default]));
    const given = Object.fromEntries(Object.entries(packConfig[rule.name] ?? {}).filter(([, v]) => v !== undefined));
    return { [SUPPRESSIONS_KEY]: [], ...defaults, ...given };
}

/** The pack config a stack implies (mdetect:* keys mapped by each rule): offline run and `--policy-pack-config`. */
export function packConfigFromStack(rules: readonly Rule[], stackConfig: Readonly<Record<string, unknown>>, stack: string): PackConfig {
    const suppressions = (stackConfig["mdetect:policySuppressions"] as string[] | undefined) ?? [];
    return Object.fromEntries([
        ...rules.map((rule) => {
            const mapped = Object.fromEntries(Object.entries(rule.configFromStack?.(stackConfig, stack) ?? {}).filter(([, v]) => v !== undefined));
            return [rule.name, { ...mapped, [SUPPRESSIONS_KEY]: suppressions }];
        }),
        [NOTES_POLICY, { [SUPPRESSIONS_KEY]: suppressions }],
    ]);
}

function toFinding(rule: Rule, v: Violation, resource: ResourceView | undefined): Finding {
    return {
        rule: rule.name,
        severity: rule.severity,
        enforcementLevel: v.undetermined ? "advisory" : rule.enforcementLevel,
        resource: resource && { type: resource.type, name: resource.name, urn: resource.urn },
        message: v.message,
        fix: rule.fix,
        undetermined: v.undetermined === true,
    };
}

/** A rule that throws reports the error as its finding: a crash must not read as a pass. */
function guarded(rule: Rule, run: () => Violation[]): Violation[] {
    try {
        return run();
    } catch (err) {
        return [{ message: `rule ${rule.name} could not evaluate: ${err instanceof Error ? err.message : String(err)}` }];
    }
}

export function runResourceRule(rule: Rule, resource: ResourceView, ctx: RuleContext<any>): Finding[] {
    if (rule.kind !== "resource" || !rule.types.includes(resource.type)) return [];
    return guarded(rule, () => rule.check(resource, ctx)).map((v) => toFinding(rule, v, resource));
}

export function runStackRule(rule: Rule, resources: readonly ResourceView[], ctx: RuleContext<any>): Finding[] {
    if (rule.kind !== "stack") return [];
    return guarded(rule, () => rule.check(resources, ctx)).map((v) => toFinding(rule, v, v.resource));
}

/** Marks findings covered by a valid suppression; invalid entries suppress nothing. */
export function applySuppressions(findings: readonly Finding[], entries: readonly unknown[], ruleNames: ReadonlySet<string>): Finding[] {
    const valid: Suppression[] = parseSuppressions(entries, ruleNames).valid;
    return findings.map((f) => {
        const reason = f.resource && suppressionFor(valid, f.rule, f.resource.name);
        return reason ? { ...f, suppressed: reason } : f;
    });
}

export interface EvaluateOptions {
    readonly stack: string;
    readonly packConfig?: PackConfig;
}

/** Every rule over every resource; findings in rule order, suppressions applied. */
export function evaluate(rules: readonly Rule[], resources: readonly RecordedResource[], options: EvaluateOptions): Finding[] {
    const ruleNames = new Set(rules.map((r) => r.name));
    const inputs: ResourceView[] = resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs }));
    const outputs: ResourceView[] = resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.outputs, propertyDependencies: r.propertyDependencies }));
    const findings: Finding[] = [];
    for (const rule of rules) {
        const config = ruleConfig(rule, options.packConfig);
        const ctx: RuleContext<any> = { stack: options.stack, config, ruleNames };
        const found = rule.kind === "resource"
            ? inputs.flatMap((r) => runResourceRule(rule, r, ctx))
            : runStackRule(rule, outputs, ctx);
        findings.push(...applySuppressions(found, config[SUPPRESSIONS_KEY], ruleNames));
    }
    return findings;
}

/** Unsuppressed mandatory findings: any of these fails the run (and a real preview). */
export function blocking(findings: readonly Finding[]): Finding[] {
    return findings.filter((f) => f.enforcementLevel === "mandatory" && !f.suppressed);
}
