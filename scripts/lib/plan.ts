/**
 * The plan: a JSON-safe view of a mock run, and its human rendering grouped by component.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ProgramRun, SourceLocation } from "./mock-run";

export interface Plan {
    readonly stack: string;
    readonly config: Record<string, unknown>;
    readonly resources: { type: string; name: string; parent: string | null; inputs: Record<string, unknown>; source?: SourceLocation }[];
    readonly outputs: Record<string, unknown>;
}

/** Replaces assets and archives (Lambda code) with a summary; everything else is plain data. */
function jsonSafe(value: unknown): unknown {
    if (value instanceof pulumi.asset.AssetArchive) return { archive: "AssetArchive (serialized Lambda code)" };
    if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) return { asset: value.constructor.name };
    if (Array.isArray(value)) return (value as unknown[]).map(jsonSafe);
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
    }
    return value;
}

export function toPlan(run: ProgramRun): Plan {
    return {
        stack: run.stack,
        config: run.config,
        resources: run.resources.map((r) => ({ type: r.type, name: r.name, parent: r.parent ?? null, inputs: jsonSafe(r.inputs) as Record<string, unknown>, source: r.source })),
        outputs: jsonSafe(run.outputs) as Record<string, unknown>,
    };
}

const HIDDEN = new Set(["code", "tags", "tagsAll", "__defaults"]);
const MAX_VALUE = 100;

/** How the plan is rendered: `full` shows every input (tags, policies, long values) untruncated. */
export interface RenderOptions {
    readonly full?: boolean;
}

function summarize(value: unknown, full = false): string {
    if (full) return typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
    if (typeof value === "string") {
        if (value.startsWith("{") && value.includes("\"Statement\"")) {
            try { return `<policy: ${JSON.parse(value).Statement.length} statements>`; } catch { /* not JSON after all */ }
        }
        return value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)}…` : value;
    }
    const text = JSON.stringify(value) ?? String(value);
    return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}

/** Nested settings flattened to dotted keys so each one shows (`extendedS3Configuration.s3BackupMode=Enabled`). */
function flatten(prefix: string, value: unknown, out: [string, unknown][]): void {
    const isPolicy = typeof value === "string" && value.startsWith("{") && value.includes("\"Statement\"");
    if (value && typeof value === "object" && !Array.isArray(value) && !isPolicy) {
        for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
    } else if (Array.isArray(value) && value.some((v) => v && typeof v === "object")) {
        value.forEach((v, i) => flatten(`${prefix}[${i}]`, v, out));
    } else {
        out.push([prefix, value]);
    }
}

function settings(inputs: Record<string, unknown>, full: boolean): string {
    const flat: [string, unknown][] = [];
    for (const [k, v] of Object.entries(inputs)) if (full ? k !== "code" : !HIDDEN.has(k)) flatten(k, v, flat);
    return flat
        .filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0))
        .map(([k, v]) => `${k}=${summarize(v, full)}`)
        .join("  ");
}

export function renderPlan(plan: Plan, options: RenderOptions = {}): string {
    const byParent = new Map<string | null, Plan["resources"]>();
    for (const r of plan.resources) byParent.set(r.parent, [...(byParent.get(r.parent) ?? []), r]);
    const lines: string[] = [`Plan for stack '${plan.stack}' (offline, Pulumi mock runtime): ${plan.resources.filter((r) => !r.type.includes(":index:") && !r.type.startsWith("mdetect:")).length} cloud resources`, ""];
    const walk = (parent: string | null, depth: number): void => {
        for (const r of byParent.get(parent) ?? []) {
            const indent = "  ".repeat(depth);
            const isComponent = byParent.has(`${r.type}::${r.name}`);
            lines.push(isComponent ? `${indent}${r.name} [${r.type}]` : `${indent}- ${r.type} ${r.name}`);
            if (!isComponent) {
                const s = settings(r.inputs, options.full ?? false);
                if (s) lines.push(`${indent}    ${s}`);
            }
            walk(`${r.type}::${r.name}`, depth + 1);
        }
    };
    walk(null, 0);
    lines.push("", "Outputs:");
    for (const [k, v] of Object.entries(plan.outputs)) lines.push(`  ${k}: ${summarize(v, options.full)}`);
    return lines.join("\n");
}
