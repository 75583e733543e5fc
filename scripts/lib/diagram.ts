/**
 * The architecture diagram, drawn from a program run rather than by hand: one node per
 * top-level component of infra/index.ts and an edge wherever a resource of one component
 * names a resource of another (an IAM statement, a Firehose source or destination, an
 * EventBridge pattern, an alarm action). Rendered as Mermaid for the README and as SVG.
 */
import type { ProgramRun, PlannedResource } from "./mock-run";

export interface Edge {
    readonly from: string;
    readonly to: string;
    readonly label: string;
}

export interface Diagram {
    readonly nodes: { id: string; label: string }[];
    readonly edges: Edge[];
}

/** The key encrypts everything; drawing it would connect every node to one box. */
const OMITTED_COMPONENTS = new Set(["mdetect:security:DataKey"]);
/** People's and CI's access is not data flow: shown as nodes, without edges. */
const ACCESS_COMPONENTS = /:(PeopleAccess|CiDeploy)$/;
/** Actions that move data from the holder of the permission to the resource, and what to call it. */
const FLOWS: [RegExp, string][] = [
    [/^s3:Put/, "writes"], [/^sns:Publish/, "publishes"], [/^sqs:Send/, "sends"], [/^(kinesis|firehose):Put/, "streams"],
    [/^lambda:Invoke/, "invokes"], [/^rds-db:connect/, "queries"], [/^sagemaker:InvokeEndpoint/, "scores with"],
];
const READ = /^(s3:Get|s3:List|kinesis:Get|kinesis:Describe|kinesis:List|kinesis:SubscribeToShard)/;

function key(r: { type: string; name: string }): string {
    return `${r.type}::${r.name}`;
}

function rootOf(run: ProgramRun): (r: PlannedResource) => PlannedResource {
    const byKey = new Map(run.resources.map((r) => [key(r), r]));
    return (r) => {
        let current = r;
        while (current.parent && byKey.has(current.parent)) current = byKey.get(current.parent)!;
        return current;
    };
}

/** Strings that identify a resource when another resource refers to it. */
function identities(r: PlannedResource): string[] {
    return [r.state.arn, r.state.bucket, r.state.resourceId].filter((v): v is string => typeof v === "string" && v.length > 12);
}

function statementsOf(r: PlannedResource): { actions: string[]; resources: string }[] {
    if (r.type !== "aws:iam/rolePolicy:RolePolicy" && r.type !== "aws:iam/policy:Policy" && r.type !== "aws:iam/groupPolicy:GroupPolicy") return [];
    try {
        const doc = typeof r.inputs.policy === "string" ? JSON.parse(r.inputs.policy) : r.inputs.policy;
        return (doc?.Statement ?? []).filter((s: any) => s.Effect === "Allow").map((s: any) => ({
            actions: ([] as string[]).concat(s.Action ?? []),
            resources: JSON.stringify(s.Resource ?? ""),
        }));
    } catch {
        return [];
    }
}

export function buildDiagram(run: ProgramRun): Diagram {
    const root = rootOf(run);
    const components = run.resources.filter((r) => !r.parent && !r.custom && !OMITTED_COMPONENTS.has(r.type));
    const componentKeys = new Set(components.map(key));
    const targets = run.resources
        .map((r) => ({ r, comp: key(root(r)), ids: identities(r) }))
        .filter((t) => componentKeys.has(t.comp) && t.ids.length > 0);
    const edges = new Map<string, Set<string>>();
    const add = (from: string, to: string, label: string): void => {
        if (from === to) return;
        const k = `${from}->${to}`;
        edges.set(k, (edges.get(k) ?? new Set()).add(label));
    };

    for (const r of run.resources) {
        const comp = key(root(r));
        if (!componentKeys.has(comp) || ACCESS_COMPONENTS.test(comp.split("::")[0])) continue;
        const text = JSON.stringify(r.inputs);
        for (const t of targets) {
            if (t.comp === comp || !t.ids.some((id) => text.includes(id))) continue;
            const statements = statementsOf(r).filter((s) => t.ids.some((id) => s.resources.includes(id)));
            if (statements.length > 0) {
                const actions = statements.flatMap((s) => s.actions);
                for (const [pattern, verb] of FLOWS) if (actions.some((a) => pattern.test(a))) add(comp, t.comp, verb);
                if (actions.some((a) => READ.test(a))) add(t.comp, comp, "reads");
            } else if (r.type === "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream" && t.r.type === "aws:kinesis/stream:Stream") {
                add(t.comp, comp, "streams");
            } else if (r.type === "aws:cloudwatch/eventRule:EventRule") {
                add(t.comp, comp, "object events");
            } else if (r.type === "aws:cloudwatch/metricAlarm:MetricAlarm") {
                add(comp, t.comp, "alarms");
            } else if (r.type === "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream") {
                add(comp, t.comp, "delivers");
            } else if (r.type === "aws:cloudtrail/trail:Trail") {
                add(comp, t.comp, t.ids.includes(String(r.inputs.s3BucketName)) ? "delivers logs" : "audits reads");
            }
        }
    }

    const id = (k: string): string => {
        const [type, name] = k.split("::");
        return `${type.split(":").pop()}_${name}`.replace(/[^A-Za-z0-9]/g, "_");
    };
    const label = (k: string): string => {
        const [type, name] = k.split("::");
        return `${type.split(":").pop()}<br/><small>${name}</small>`;
    };
    const nodes = components.map((c) => ({ id: id(key(c)), label: label(key(c)) }));
    const external: Edge[] = [];
    if (run.resources.some((r) => r.type === "aws:iot/roleAlias:RoleAlias")) {
        const stream = targets.find((t) => t.r.type === "aws:kinesis/stream:Stream");
        if (stream) external.push({ from: "detectors", to: id(stream.comp), label: "readings (IoT credentials)" });
    }
    const api = targets.find((t) => t.r.type === "aws:apigatewayv2/api:Api");
    if (api) external.push({ from: "clients", to: id(api.comp), label: "HTTPS + JWT" });
    if (external.some((e) => e.from === "detectors")) nodes.unshift({ id: "detectors", label: "Detectors in the field" });
    if (api) nodes.push({ id: "clients", label: "Clients" });
    return {
        nodes,
        edges: [
            ...external,
            ...[...edges].map(([k, labels]) => {
                const [from, to] = k.split("->");
                return { from: id(from), to: id(to), label: [...labels].sort().join(", ") };
            }).sort((a, b) => `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`)),
        ],
    };
}

export function toMermaid(d: Diagram): string {
    return [
        "flowchart LR",
        ...d.nodes.map((n) => `  ${n.id}["${n.label}"]`),
        ...d.edges.map((e) => `  ${e.from} -->|"${e.label}"| ${e.to}`),
    ].join("\n");
}

export function toDot(d: Diagram): string {
    const esc = (s: string): string => s.replace(/<br\/>/g, "\\n").replace(/<\/?small>/g, "").replace(/"/g, "\\\"");
    return [
        "digraph mdetect {",
        "  rankdir=LR; node [shape=box, style=rounded, fontname=Helvetica]; edge [fontname=Helvetica, fontsize=10];",
        ...d.nodes.map((n) => `  ${n.id} [label="${esc(n.label)}"];`),
        ...d.edges.map((e) => `  ${e.from} -> ${e.to} [label="${esc(e.label)}"];`),
        "}",
    ].join("\n");
}

export async function toSvg(d: Diagram): Promise<string> {
    const { Graphviz } = await import("@hpcc-js/wasm-graphviz");
    return (await Graphviz.load()).dot(toDot(d));
}

export const README_MARKERS = { start: "<!-- architecture-diagram:start (generated by `npm run diagram`) -->", end: "<!-- architecture-diagram:end -->" };

/** The README with its generated diagram block replaced. */
export function withDiagram(readme: string, mermaid: string): string {
    const block = `${README_MARKERS.start}\n\`\`\`mermaid\n${mermaid}\n\`\`\`\n${README_MARKERS.end}`;
    const start = readme.indexOf(README_MARKERS.start);
    const end = readme.indexOf(README_MARKERS.end);
    if (start < 0 || end < start) throw new Error("README.md has no architecture-diagram markers");
    return readme.slice(0, start) + block + readme.slice(end + README_MARKERS.end.length);
}
