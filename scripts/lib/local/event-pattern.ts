/**
 * EventBridge event patterns, the documented subset: no maintained matcher exists on npm for
 * JavaScript (AWS's event-ruler is Java), so this follows the "Event patterns" and "Content
 * filtering" pages of the EventBridge user guide:
 * - a pattern is an object whose fields must all match; nested objects match nested fields;
 * - a leaf is an array of alternatives: a literal (string, number, null, compared exactly),
 *   or a filter object: {prefix}, {suffix}, {"equals-ignore-case"}, {wildcard}, {exists},
 *   {"anything-but": value | [values] | {prefix}}, {numeric: [op, n, ...]};
 * - an array in the event matches when any of its elements matches.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 */
type Filter = Record<string, unknown>;

function numericMatch(value: unknown, spec: unknown[]): boolean {
    if (typeof value !== "number") return false;
    for (let i = 0; i < spec.length; i += 2) {
        const op = spec[i];
        const n = Number(spec[i + 1]);
        const ok = op === "=" ? value === n : op === ">" ? value > n : op === ">=" ? value >= n : op === "<" ? value < n : op === "<=" ? value <= n : false;
        if (!ok) return false;
    }
    return true;
}

function wildcard(value: string, pattern: string): boolean {
    const re = new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "s");
    return re.test(value);
}

function leafMatches(present: boolean, value: unknown, alternative: unknown): boolean {
    if (alternative === null || typeof alternative !== "object") return present && value === alternative;
    const f = alternative as Filter;
    if ("exists" in f) return f.exists ? present : !present;
    if (!present) return false;
    if ("prefix" in f) return typeof value === "string" && (typeof f.prefix === "string" ? value.startsWith(f.prefix) : value.toLowerCase().startsWith(String((f.prefix as Filter)["equals-ignore-case"]).toLowerCase()));
    if ("suffix" in f) return typeof value === "string" && (typeof f.suffix === "string" ? value.endsWith(f.suffix) : value.toLowerCase().endsWith(String((f.suffix as Filter)["equals-ignore-case"]).toLowerCase()));
    if ("equals-ignore-case" in f) return typeof value === "string" && value.toLowerCase() === String(f["equals-ignore-case"]).toLowerCase();
    if ("wildcard" in f) return typeof value === "string" && wildcard(value, String(f.wildcard));
    if ("numeric" in f) return numericMatch(value, f.numeric as unknown[]);
    if ("anything-but" in f) {
        const but = f["anything-but"];
        if (Array.isArray(but)) return !but.includes(value);
        if (but !== null && typeof but === "object") return !leafMatches(true, value, but);
        return value !== but;
    }
    throw new Error(`event pattern: unsupported filter ${JSON.stringify(f)}`);
}

function fieldMatches(present: boolean, value: unknown, pattern: unknown): boolean {
    if (Array.isArray(pattern)) {
        const values = Array.isArray(value) ? value : [value];
        if (Array.isArray(value) && value.length === 0) return pattern.some((alt) => leafMatches(false, undefined, alt));
        return pattern.some((alt) => values.some((v) => leafMatches(present, v, alt)));
    }
    if (pattern !== null && typeof pattern === "object") {
        const obj = present && value !== null && typeof value === "object" ? value as Record<string, unknown> : {};
        return Object.entries(pattern as Record<string, unknown>).every(([k, p]) => fieldMatches(k in obj, obj[k], p));
    }
    throw new Error(`event pattern: a leaf must be an array, got ${JSON.stringify(pattern)}`);
}

export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
    return fieldMatches(true, event, pattern);
}
