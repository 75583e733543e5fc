/**
 * Reading resource properties the way both runtimes deliver them: plain JSON offline, and
 * JSON with "unknown until deploy" values during a real preview. Unknowns are normalized to the
 * UNKNOWN marker by the CrossGuard adapter, so rules can say "cannot judge" instead of passing
 * or crashing.
 */
import type { ResourceView } from "./types";

class Unknown {
    toString(): string { return "<unknown until deploy>"; }
    toJSON(): string { return this.toString(); }
}

/** A value that is only known after deploy (preview of a resource not yet created). */
export const UNKNOWN: unknown = Object.freeze(new Unknown());

export function isUnknown(value: unknown): boolean {
    return value instanceof Unknown;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) && !isUnknown(value);
}

/** Nested property by dotted path (`extendedS3Configuration.kmsKeyArn`); UNKNOWN propagates. */
export function prop(props: unknown, path: string): unknown {
    let value: unknown = props;
    for (const key of path.split(".")) {
        if (isUnknown(value)) return UNKNOWN;
        if (Array.isArray(value)) value = value[Number(key)];
        else if (isRecord(value)) value = value[key];
        else return undefined;
    }
    return value;
}

/** The list a property holds: [] when absent, a single value wrapped. */
export function list(value: unknown): unknown[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
}

export function nonEmptyString(value: unknown): boolean {
    return typeof value === "string" && value.trim() !== "";
}

export interface Statement {
    readonly Sid?: string;
    readonly Effect: string;
    readonly actions: unknown[];
    readonly notActions: unknown[];
    readonly resources: unknown[];
    readonly principal: unknown;
    readonly condition: Record<string, Record<string, unknown>>;
}

/** An IAM / resource policy document (JSON string or object): its statements, or "unknown" during preview. */
export function statements(document: unknown): Statement[] | "unknown" | undefined {
    if (isUnknown(document)) return "unknown";
    if (document === undefined || document === null || document === "") return undefined;
    let doc: unknown = document;
    if (typeof document === "string") {
        try { doc = JSON.parse(document); } catch { throw new Error(`policy document is not JSON: ${document.slice(0, 80)}`); }
    }
    if (!isRecord(doc)) return undefined;
    return list(doc.Statement).filter(isRecord).map((s) => ({
        Sid: typeof s.Sid === "string" ? s.Sid : undefined,
        Effect: String(s.Effect),
        actions: list(s.Action),
        notActions: list(s.NotAction),
        resources: list(s.Resource),
        principal: s.Principal,
        condition: isRecord(s.Condition) ? s.Condition as Record<string, Record<string, unknown>> : {},
    }));
}

/** Values by which other resources refer to `target`: its id, ARN, name, bucket, key id. */
export function identifiers(target: ResourceView): unknown[] {
    return ["id", "arn", "name", "bucket", "keyId"].map((k) => target.props[k]).filter((v) => nonEmptyString(v));
}

export type Link = "yes" | "no" | "unknown";

/**
 * Whether `from.props[property]` refers to `target`: by value (id, name or ARN), or, during a
 * real preview, by the property's recorded dependency on the target's URN. A property whose
 * value is unknown and has no dependency record cannot be judged.
 */
export function refersTo(from: ResourceView, property: string, target: ResourceView): Link {
    const deps = from.propertyDependencies?.[property];
    if (deps?.includes(target.urn)) return "yes";
    const value = prop(from.props, property);
    const ids = identifiers(target);
    let unknown = isUnknown(value);
    for (const v of list(value)) {
        if (isUnknown(v)) unknown = true;
        else if (ids.includes(v)) return "yes";
    }
    // A recorded dependency on other resources settles it even while the value is unknown.
    if (unknown && deps && deps.length > 0) return "no";
    return unknown ? "unknown" : "no";
}

/** Partitions candidates into those linked to `target` through `property`, and the undecidable. */
export function linked(candidates: readonly ResourceView[], property: string, target: ResourceView): { yes: ResourceView[]; unknown: ResourceView[] } {
    const yes: ResourceView[] = [];
    const unknown: ResourceView[] = [];
    for (const c of candidates) {
        const link = refersTo(c, property, target);
        if (link === "yes") yes.push(c);
        else if (link === "unknown") unknown.push(c);
    }
    return { yes, unknown };
}

export function ofType(resources: readonly ResourceView[], ...types: string[]): ResourceView[] {
    return resources.filter((r) => types.includes(r.type));
}

/** A setting that is given: a non-empty string, or a value only known at deploy (e.g. a key ARN). */
export function present(value: unknown): boolean {
    return nonEmptyString(value) || isUnknown(value);
}
