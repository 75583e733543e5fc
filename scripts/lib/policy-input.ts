/**
 * Feeds the policy engine: a mock run (or a plan JSON written by `npm start -- --json`) becomes
 * the recorded resources CrossGuard would see, with URNs, inputs and outputs. A plan holds only
 * inputs, so outputs are recomputed by the same fake cloud the mock run used.
 */
import type { ProgramRun, SourceLocation } from "./mock-run";
import type { Plan } from "./plan";
import { fakeState } from "./fake-cloud";
import type { RecordedResource } from "../../policy/lib/engine";

interface Declared { type: string; name: string; parent?: string | null; inputs: Record<string, any>; state?: Record<string, any>; source?: SourceLocation }

/** URNs as the engine builds them: the parent chain's types joined by `$`. */
function urns(project: string, stack: string, resources: readonly Declared[]): Map<Declared, string> {
    const byKey = new Map(resources.map((r) => [`${r.type}::${r.name}`, r]));
    const typeChain = (r: Declared): string => {
        const parent = r.parent ? byKey.get(r.parent) : undefined;
        return parent ? `${typeChain(parent)}$${r.type}` : r.type;
    };
    return new Map(resources.map((r) => [r, `urn:pulumi:${stack}::${project}::${typeChain(r)}::${r.name}`]));
}

function record(project: string, stack: string, region: string, resources: readonly Declared[]): RecordedResource[] {
    const urnOf = urns(project, stack, resources);
    return resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: urnOf.get(r)!,
        inputs: r.inputs,
        outputs: r.state ?? fakeState(r.type, r.name, r.inputs, region),
    }));
}

/** URN -> the file and line that declare the resource (SARIF result locations). */
export function declarationSites(project: string, stack: string, resources: readonly Declared[]): Map<string, SourceLocation> {
    const urnOf = urns(project, stack, resources);
    return new Map(resources.filter((r) => r.source).map((r) => [urnOf.get(r)!, r.source!]));
}

export function fromProgramRun(run: ProgramRun): RecordedResource[] {
    return record(run.project, run.stack, String(run.config["aws:region"]), run.resources);
}

export function fromPlan(plan: Plan, project: string): RecordedResource[] {
    if (!plan || !Array.isArray(plan.resources) || typeof plan.stack !== "string") {
        throw new Error("not a plan: expected { stack, config, resources: [...] } as written by `npm start -- --json`");
    }
    return record(project, plan.stack, String(plan.config?.["aws:region"] ?? "ap-southeast-2"), plan.resources);
}
