/**
 * The rule model of the mDetect pack. A rule is a pure function plus metadata; the CrossGuard
 * adapter (policy/lib/pack.ts) and the offline engine (policy/lib/engine.ts) both run these
 * same functions, so the CLI report and `pulumi preview --policy-pack policy` cannot disagree.
 */

export type Severity = "critical" | "high" | "medium" | "low";
export type EnforcementLevel = "mandatory" | "advisory";

/** A resource as rules see it: inputs for resource rules, outputs (state) for stack rules. */
export interface ResourceView {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly props: Record<string, unknown>;
    /**
     * For stack rules under a real preview: which resources (by URN) each property was computed
     * from. Links resources whose values are still unknown. Absent offline (values are known).
     */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export interface Violation {
    readonly message: string;
    /** The offending resource (stack rules); resource rules always report on their resource. */
    readonly resource?: ResourceView;
    /**
     * The rule could not decide because a value is unknown until deploy (preview only). Reported
     * as advisory "cannot judge", never as a pass and never as a mandatory failure.
     */
    readonly undetermined?: boolean;
}

export interface RuleContext<C> {
    readonly stack: string;
    /** The rule's own config: schema defaults overlaid with the pack config. */
    readonly config: C;
    /** Every rule name in the pack (suppressions must name one). */
    readonly ruleNames: ReadonlySet<string>;
}

/** JSON schema of one config property, the subset CrossGuard's configSchema accepts. */
export interface ConfigProperty {
    readonly type: "string" | "integer" | "number" | "boolean" | "array" | "object";
    readonly default?: unknown;
    readonly description?: string;
    readonly items?: { readonly type: string };
    readonly minimum?: number;
    readonly additionalProperties?: { readonly type: string };
}

interface RuleMeta<C> {
    readonly name: string;
    readonly description: string;
    readonly severity: Severity;
    readonly enforcementLevel: EnforcementLevel;
    /** How to fix a violation: shown in the report, SARIF help and CrossGuard remediationSteps. */
    readonly fix: string;
    readonly configSchema?: { readonly properties: Readonly<Record<string, ConfigProperty>> };
    /**
     * Maps the project's stack config (`mdetect:*` keys) to this rule's config, so the offline
     * run and the generated `--policy-pack-config` file use the stack's own values.
     */
    configFromStack?(stackConfig: Readonly<Record<string, unknown>>, stack: string): Partial<C>;
}

export interface ResourceRule<C = Record<string, never>> extends RuleMeta<C> {
    readonly kind: "resource";
    /** Resource types the rule looks at; others are not applicable. */
    readonly types: readonly string[];
    check(resource: ResourceView, ctx: RuleContext<C>): Violation[];
    /** Returns corrected inputs, or undefined when nothing can be fixed automatically. */
    remediate?(resource: ResourceView, ctx: RuleContext<C>): Record<string, unknown> | undefined;
}

export interface StackRule<C = Record<string, never>> extends RuleMeta<C> {
    readonly kind: "stack";
    check(resources: readonly ResourceView[], ctx: RuleContext<C>): Violation[];
}

export type Rule<C = any> = ResourceRule<C> | StackRule<C>;

/** Per-rule config as passed to `--policy-pack-config` (and to the offline engine). */
export type PackConfig = Record<string, Record<string, unknown>>;
