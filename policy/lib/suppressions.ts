/**
 * Suppressions: `mdetect:policySuppressions` entries "rule-name:resource-name=reason". A finding
 * of that rule on a resource of that logical name is reported as suppressed, with the reason.
 * A reason shorter than MIN_REASON_LENGTH, a malformed entry or an unknown rule suppresses
 * nothing and is itself a violation (rule suppression-reasons).
 */

/** Long enough that "ok", "wip" or "temp" will not do: the reason must say why. */
export const MIN_REASON_LENGTH = 10;

export interface Suppression {
    readonly rule: string;
    readonly resource: string;
    readonly reason: string;
}

export interface ParsedSuppressions {
    readonly valid: Suppression[];
    /** One message per rejected entry. */
    readonly errors: string[];
}

const ENTRY = /^([a-z0-9-]+):([^=]+)=(.*)$/s;

export function parseSuppressions(entries: readonly unknown[], ruleNames: ReadonlySet<string>): ParsedSuppressions {
    const valid: Suppression[] = [];
    const errors: string[] = [];
    for (const entry of entries) {
        const match = typeof entry === "string" ? ENTRY.exec(entry.trim()) : null;
        if (!match) {
            errors.push(`suppression ${JSON.stringify(entry)} is not "rule-name:resource-name=reason"`);
            continue;
        }
        const [, rule, resource, rawReason] = match;
        const reason = rawReason.trim();
        if (!ruleNames.has(rule)) errors.push(`suppression "${entry}" names unknown rule ${rule}`);
        else if (reason.length < MIN_REASON_LENGTH) errors.push(`suppression of ${rule} on ${resource.trim()} needs a written reason of at least ${MIN_REASON_LENGTH} characters, got ${JSON.stringify(reason)}`);
        else valid.push({ rule, resource: resource.trim(), reason });
    }
    return { valid, errors };
}

/** The reason `rule` is suppressed on the resource named `resource`, if it is. */
export function suppressionFor(valid: readonly Suppression[], rule: string, resource: string): string | undefined {
    return valid.find((s) => s.rule === rule && s.resource === resource)?.reason;
}
