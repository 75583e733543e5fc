/**
 * SNS subscription filter policies, as the SNS developer guide documents them ("Amazon SNS
 * message filtering"):
 * - scope MessageAttributes: each top-level key names a message attribute; String attributes
 *   match as strings, Number attributes as numbers, String.Array attributes when any element
 *   matches; Binary attributes never match; a message without the attribute matches only
 *   `{"exists": false}`; nested keys are refused.
 * - scope MessageBody: the message must be a JSON object, matched field by field (nested keys
 *   match nested fields); a body that is not JSON matches nothing.
 * - leaves are arrays of alternatives: exact strings and numbers, prefix, suffix,
 *   equals-ignore-case, anything-but, numeric, exists (the matcher EventBridge patterns use:
 *   event-pattern.ts), and `$or` joins alternative policies.
 * - constraints AWS enforces when the policy is set: at most 5 keys, and at most 150 value
 *   combinations (the product of the array lengths, summed over `$or` branches).
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html
 */
import { matchesPattern } from "./event-pattern";

export type FilterPolicyScope = "MessageAttributes" | "MessageBody";
export interface MessageAttribute { readonly DataType: string; readonly StringValue?: string; readonly BinaryValue?: string }

/** SNS's limits on a filter policy (SetSubscriptionAttributes refuses a policy over them). */
export const MAX_FILTER_KEYS = 5;
export const MAX_FILTER_COMBINATIONS = 150;

type Policy = Record<string, unknown>;

/** The policy without `$or`: one policy per branch (nested `$or` expanded too). */
function branches(policy: Policy): Policy[] {
    const or = policy.$or;
    const rest = Object.fromEntries(Object.entries(policy).filter(([k]) => k !== "$or"));
    const expandedRest = Object.entries(rest).reduce<Policy[]>((acc, [k, v]) => {
        const options = v !== null && typeof v === "object" && !Array.isArray(v) ? branches(v as Policy) : [v];
        return acc.flatMap((p) => options.map((o) => ({ ...p, [k]: o })));
    }, [{}]);
    if (!Array.isArray(or)) return expandedRest;
    return (or as Policy[]).flatMap((alt) => branches(alt).flatMap((b) => expandedRest.map((r) => ({ ...r, ...b }))));
}

/** Leaf arrays of a branch, by dotted path. */
function leaves(policy: Policy, prefix = ""): [string, unknown[]][] {
    return Object.entries(policy).flatMap(([k, v]) => Array.isArray(v) ? [[`${prefix}${k}`, v] as [string, unknown[]]]
        : v !== null && typeof v === "object" ? leaves(v as Policy, `${prefix}${k}.`) : [[`${prefix}${k}`, [v]] as [string, unknown[]]]);
}

/** Why SNS would refuse the policy, or undefined when it accepts it. */
export function filterPolicyProblem(policy: Policy, scope: FilterPolicyScope): string | undefined {
    const all = branches(policy);
    const keys = new Set(all.flatMap((b) => leaves(b).map(([k]) => k)));
    if (keys.size > MAX_FILTER_KEYS) return `filter policy has ${keys.size} keys; SNS allows ${MAX_FILTER_KEYS}`;
    if (scope === "MessageAttributes" && [...keys].some((k) => k.includes("."))) return "an attribute-based filter policy cannot have nested keys";
    const combinations = all.reduce((n, b) => n + leaves(b).reduce((p, [, values]) => p * values.length, 1), 0);
    if (combinations > MAX_FILTER_COMBINATIONS) return `filter policy has ${combinations} value combinations; SNS allows ${MAX_FILTER_COMBINATIONS}`;
    return undefined;
}

/** Message attributes as the values a policy compares (Binary attributes are not filterable). */
function attributeValues(attributes: Readonly<Record<string, MessageAttribute>>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, a] of Object.entries(attributes)) {
        const type = a.DataType.split(".")[0];
        if (type === "String" && a.DataType === "String.Array") {
            try { const list = JSON.parse(a.StringValue ?? ""); if (Array.isArray(list)) out[name] = list; } catch { /* not an array: unfilterable */ }
        } else if (type === "String") {
            out[name] = a.StringValue ?? "";
        } else if (type === "Number") {
            out[name] = Number(a.StringValue);
        }
    }
    return out;
}

export function filterPolicyMatches(policy: Policy, scope: FilterPolicyScope, message: { readonly body: string; readonly attributes: Readonly<Record<string, MessageAttribute>> }): boolean {
    let subject: Record<string, unknown>;
    if (scope === "MessageBody") {
        try { subject = JSON.parse(message.body); } catch { return false; }
        if (subject === null || typeof subject !== "object" || Array.isArray(subject)) return false;
    } else {
        subject = attributeValues(message.attributes);
    }
    return branches(policy).some((b) => matchesPattern(b, subject));
}
