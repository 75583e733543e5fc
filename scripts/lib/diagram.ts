/**
 * The architecture diagram, drawn from a program run rather than by hand: one node per
 * top-level component of infra/index.ts and an edge wherever a resource of one component
 * names a resource of another (an IAM statement, a Firehose source or destination, an
 * EventBridge pattern, an alarm action, a subnet or security group, a JWT issuer). Identity,
 * network and CI components are drawn with what they serve, and the people and systems outside
 * (detectors, clients, GitHub Actions, the operations mailbox) where the plan names them.
 * Rendered as Mermaid for the README and as SVG, with boxes sized for the machine's own font.
 */
import { execFileSync } from "child_process";
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
/**
 * CI's deploy role may touch every service of the account (arn:aws:*:region:account:*): matched
 * against identities it would join every box, so it is drawn deploying the stack as one node.
 */
const CI_COMPONENT = /:CiDeploy$/;
/** Resources whose id (not only ARN) others quote: subnets and security groups by id, a user pool in its issuer URL. */
const ID_REFERENCED = /^aws:(ec2\/subnet:Subnet|ec2\/securityGroup:SecurityGroup|cognito\/userPool:UserPool|cognito\/userPoolClient:UserPoolClient)$/;
const NETWORK = /^aws:ec2\/(subnet:Subnet|securityGroup:SecurityGroup)$/;
const GITHUB_OIDC = "https://token.actions.githubusercontent.com";
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
    return [r.state.arn, r.state.bucket, r.state.resourceId, ID_REFERENCED.test(r.type) ? r.state.id : undefined]
        .filter((v): v is string => typeof v === "string" && v.length > 12);
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
        if (!componentKeys.has(comp) || CI_COMPONENT.test(comp.split("::")[0])) continue;
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
            } else if (NETWORK.test(t.r.type)) {
                add(t.comp, comp, "private subnets");
            } else if (r.type === "aws:apigatewayv2/authorizer:Authorizer") {
                add(t.comp, comp, "JWT issuer");
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
    const appClient = targets.find((t) => t.r.type === "aws:cognito/userPoolClient:UserPoolClient");
    if (api && appClient) external.push({ from: "clients", to: id(appClient.comp), label: "sign in (MFA)" });
    const ci = run.resources.find((r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider" && r.inputs.url === GITHUB_OIDC);
    const ciComp = ci && key(root(ci));
    if (ciComp && componentKeys.has(ciComp)) {
        external.push({ from: "github", to: id(ciComp), label: "OIDC role" }, { from: id(ciComp), to: "stack", label: "pulumi up" });
    }
    // The permissions boundary the roles carry: the policy their permissionsBoundary names.
    const bounded = run.resources.filter((r) => r.type === "aws:iam/role:Role" && r.inputs.permissionsBoundary);
    // (named by its ARN, which ends in the policy's path and name: the boundary is known before the policy exists)
    const boundaries = run.resources.filter((p) => p.type === "aws:iam/policy:Policy" && componentKeys.has(key(root(p)))
        && bounded.some((r) => String(r.inputs.permissionsBoundary).endsWith(`:policy${p.state.path ?? "/"}${p.state.name}`)));
    for (const b of boundaries) external.push({ from: id(key(root(b))), to: "stack", label: `bounds every role (${bounded.length})` });
    // Whoever the plan emails: budget notifications and e-mail subscriptions of a topic.
    const mailed = new Set<string>();
    for (const r of run.resources) {
        const comp = key(root(r));
        if (!componentKeys.has(comp)) continue;
        const budgetMail = r.type === "aws:budgets/budget:Budget" && JSON.stringify(r.inputs.notifications ?? []).includes("subscriberEmailAddresses");
        const topicMail = r.type === "aws:sns/topicSubscription:TopicSubscription" && r.inputs.protocol === "email";
        if ((budgetMail || topicMail) && !mailed.has(comp)) {
            mailed.add(comp);
            external.push({ from: id(comp), to: "operations", label: budgetMail ? "budget alerts" : "e-mails" });
        }
    }
    if (external.some((e) => e.from === "detectors")) nodes.unshift({ id: "detectors", label: "Detectors in the field" });
    if (api) nodes.push({ id: "clients", label: "Clients" });
    if (ciComp) nodes.push({ id: "github", label: "GitHub Actions" });
    if (external.some((e) => e.to === "stack")) nodes.push({ id: "stack", label: `Pulumi stack<br/><small>${run.stack}: every component</small>` });
    if (mailed.size > 0) nodes.push({ id: "operations", label: "Operations<br/><small>e-mail</small>" });
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

/** Graphviz's defaults (points; 72 per inch): node text size, edge label size, a node's horizontal margin each side. */
export const NODE_FONT_SIZE = 14;
export const EDGE_FONT_SIZE = 10;
const NODE_MARGIN_PT = 0.11 * 72;
const POINTS_PER_INCH = 72;

/** Width in points of a line of text in a font; how the machine's font is measured. */
export interface TextMeasure {
    readonly family: string;
    width(text: string, size: number): number;
}

interface FontkitFont { familyName: string; unitsPerEm: number; layout(text: string): { advanceWidth: number } }

/**
 * The machine's sans-serif font as fontconfig resolves it (what a viewer here draws the SVG's text
 * with), measured with fontkit. Graphviz in WebAssembly sees no fonts and estimates widths from
 * built-in Helvetica metrics, which are narrower than e.g. DejaVu Sans: labels then overflow.
 * Undefined where fontconfig or the font is missing (Graphviz's estimate is used then).
 */
export function machineFont(pattern = "sans-serif"): TextMeasure | undefined {
    try {
        const file = execFileSync("fc-match", ["--format=%{file}", pattern], { encoding: "utf8" }).trim();
        const font = (require("fontkit") as { openSync(path: string): FontkitFont }).openSync(file);
        return { family: font.familyName, width: (text, size) => (font.layout(text).advanceWidth / font.unitsPerEm) * size };
    } catch {
        return undefined;
    }
}

const labelLines = (label: string): string[] => label.replace(/<\/?small>/g, "").split("<br/>");

export function toDot(d: Diagram, font?: TextMeasure): string {
    const esc = (s: string): string => labelLines(s).join("\\n").replace(/"/g, "\\\"");
    const family = font ? `"${font.family}"` : "Helvetica";
    // With the real font measured, each box is at least its widest line plus Graphviz's margin.
    const width = (label: string): string => {
        if (!font) return "";
        const text = Math.max(...labelLines(label).map((line) => font.width(line, NODE_FONT_SIZE)));
        return `, width=${((text + 2 * NODE_MARGIN_PT) / POINTS_PER_INCH).toFixed(3)}`;
    };
    return [
        "digraph mdetect {",
        `  rankdir=LR; node [shape=box, style=rounded, fontname=${family}, fontsize=${NODE_FONT_SIZE}]; edge [fontname=${family}, fontsize=${EDGE_FONT_SIZE}];`,
        ...d.nodes.map((n) => `  ${n.id} [label="${esc(n.label)}"${width(n.label)}];`),
        ...d.edges.map((e) => `  ${e.from} -> ${e.to} [label="${esc(e.label)}"];`),
        "}",
    ].join("\n");
}

/** `font: null` leaves sizing to Graphviz's built-in estimate. */
export async function toSvg(d: Diagram, font: TextMeasure | null = machineFont() ?? null): Promise<string> {
    const { Graphviz } = await import("@hpcc-js/wasm-graphviz");
    return (await Graphviz.load()).dot(toDot(d, font ?? undefined));
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
