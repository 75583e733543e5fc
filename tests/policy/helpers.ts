/** Building recorded resources for rule fixtures, and running one rule of the pack over them. */
import { RULES } from "../../policy/rules";
import { evaluate, type Finding, type RecordedResource } from "../../policy/lib/engine";
import type { PackConfig, Rule } from "../../policy/lib/types";

export const PROJECT = "mdetect";

/**
 * A resource with `props` as inputs; outputs add what the cloud computes (id, and the `extra`
 * outputs such as arn), as a real stack validation would see them.
 */
export function res(type: string, name: string, props: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): RecordedResource {
    return { type, name, urn: `urn:pulumi:dev::${PROJECT}::${type}::${name}`, inputs: props, outputs: { ...props, id: `${name}-id`, ...extra } };
}

export function rule(name: string): Rule {
    const found = RULES.find((r) => r.name === name);
    if (!found) throw new Error(`no rule ${name}`);
    return found;
}

export interface Case {
    readonly title: string;
    readonly resources: RecordedResource[];
    readonly stack?: string;
    /** This rule's config (overrides schema defaults). */
    readonly config?: Record<string, unknown>;
    /** Substring every violation's message must contain (violating cases). */
    readonly expect?: string;
}

export interface RuleFixtures {
    readonly compliant: Case[];
    readonly violating: Case[];
    /** Previews where a value the rule needs is unknown until deploy: only advisory "cannot judge" findings. */
    readonly undetermined?: Case[];
}

export function runOne(ruleName: string, c: Pick<Case, "resources" | "stack" | "config">): Finding[] {
    const packConfig: PackConfig = c.config ? { [ruleName]: c.config } : {};
    rule(ruleName);
    // The whole pack runs (suppressions must name a rule of the pack); only this rule's findings count.
    return evaluate(RULES, c.resources, { stack: c.stack ?? "dev", packConfig }).filter((f) => f.rule === ruleName);
}

/** Deny-unless-MFA statement as AWS documents it (self-service MFA set-up still allowed). */
export const MFA_GUARD = {
    Sid: "DenyAllExceptListedIfNoMFA",
    Effect: "Deny",
    NotAction: ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
    Resource: "*",
    Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
};

export function doc(...statements: object[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}
