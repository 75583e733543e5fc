import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { program } from "../helpers/program";
import { buildDiagram, machineFont, toMermaid, toSvg, withDiagram, NODE_FONT_SIZE, README_MARKERS, TextMeasure } from "../../scripts/lib/diagram";
import { README_DIAGRAM_CONFIG, README_SVG } from "../../scripts/commands/diagram";
import { OUT_SVG, section } from "../../scripts/lib/sections/diagram";

/** Each node's box (x range from its outline) and the lines of text drawn in it, from Graphviz's SVG. */
function svgNodes(svg: string): { title: string; left: number; right: number; lines: string[]; family: string }[] {
    return [...svg.matchAll(/<g id="node\d+" class="node">([\s\S]*?)<\/g>/g)].map(([, body]) => {
        const outline = /<(?:path|polygon)[^>]* (?:d|points)="([^"]+)"/.exec(body)![1];
        const xs = [...outline.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((m) => Number(m[1]));
        const texts = [...body.matchAll(/<text[^>]*font-family="([^"]+)"[^>]*>([^<]*)<\/text>/g)];
        return {
            title: /<title>([^<]*)<\/title>/.exec(body)![1], left: Math.min(...xs), right: Math.max(...xs),
            lines: texts.map((t) => t[2].replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#45;/g, "-")), family: texts[0]?.[1] ?? "",
        };
    });
}

/** Labels wider than their box (with the measured font), as "node: line". */
function overflowing(svg: string, font: TextMeasure): string[] {
    return svgNodes(svg).flatMap((n) => n.lines.filter((line) => font.width(line, NODE_FONT_SIZE) + 4 > n.right - n.left).map((line) => `${n.title}: ${line}`));
}

const README = path.join(__dirname, "..", "..", "README.md");

describe("architecture diagram drawn from the program", () => {
    it("README.md holds the diagram of the current program (run `npm run diagram` when this fails)", async () => {
        const readme = fs.readFileSync(README, "utf8");
        const run = await program(README_DIAGRAM_CONFIG);
        expect(withDiagram(readme, toMermaid(buildDiagram(run)))).to.equal(readme);
    });

    it("shows the data flows between the subsystems", async () => {
        const d = buildDiagram(await program(README_DIAGRAM_CONFIG));
        const flows = d.edges.map((e) => `${e.from} ${e.label} ${e.to}`);
        expect(flows).to.include.members([
            "detectors readings (IoT credentials) RealtimeIngest_mdetect_realtime",
            "RealtimeIngest_mdetect_realtime delivers, writes DataLake_mdetect_data_lake",
            "DataLake_mdetect_data_lake object events, reads BatchIngest_mdetect_batch",
            "DataLake_mdetect_data_lake object events, reads Inference_mdetect_inference",
            "Inference_mdetect_inference publishes Notifications_mdetect",
            "Inference_mdetect_inference invokes Registry_mdetect_registry",
            "ClientApi_mdetect_api queries Registry_mdetect_registry",
            "AuditTrail_mdetect_trail delivers logs AuditStore_mdetect_audit",
        ]);
        // Node ids are unique even where components share a name.
        expect(new Set(d.nodes.map((n) => n.id)).size).to.equal(d.nodes.length);
        // Every edge joins drawn nodes; the key (it encrypts everything) draws none.
        const ids = new Set(d.nodes.map((n) => n.id));
        for (const e of d.edges) expect(ids.has(e.from) && ids.has(e.to), `${e.from} -> ${e.to}`).to.equal(true);
        expect(d.edges.some((e) => /DataKey/.test(e.from + e.to))).to.equal(false);
    });

    it("identity, network, CI and people components connect to what they serve; no box floats", async () => {
        const d = buildDiagram(await program(README_DIAGRAM_CONFIG));
        const flows = d.edges.map((e) => `${e.from} ${e.label} ${e.to}`);
        expect(flows).to.include.members([
            "PrivateNetwork_mdetect private subnets Registry_mdetect_registry",
            "PrivateNetwork_mdetect private subnets ClientApi_mdetect_api",
            "PrivateNetwork_mdetect private subnets SilenceCheck_mdetect_silence",
            "ClientIdentity_mdetect_clients JWT issuer ClientApi_mdetect_api",
            "clients sign in (MFA) ClientIdentity_mdetect_clients",
            "github OIDC role CiDeploy_ci",
            "CiDeploy_ci pulumi up stack",
            "CostBudget_mdetect_monthly budget alerts operations",
            "Notifications_mdetect e-mails operations",
        ]);
        expect(flows.some((f) => /^DataLake_mdetect_data_lake .*reads.* PeopleAccess_people$/.test(f)), "what the people's groups may read").to.equal(true);
        const connected = new Set(d.edges.flatMap((e) => [e.from, e.to]));
        expect(d.nodes.map((n) => n.id).filter((id) => !connected.has(id))).to.deep.equal([]);
    });

    it("boxes fit their labels in the machine's own font (Graphviz's built-in estimate does not)", async function () {
        const font = machineFont();
        if (!font) this.skip();
        const d = buildDiagram(await program(README_DIAGRAM_CONFIG));
        const svg = await toSvg(d, font);
        expect(svgNodes(svg)[0].family).to.equal(font!.family);
        expect(svgNodes(svg).length).to.equal(d.nodes.length);
        expect(overflowing(svg, font!)).to.deep.equal([]);
        // The bug this guards against: sized by Graphviz's estimate, text drawn in this font overflows.
        const estimated = (await toSvg(d, null)).replace(/font-family="[^"]+"/g, `font-family="${font!.family}"`);
        expect(overflowing(estimated, font!)).to.not.deep.equal([]);
    });

    it("npm start and npm run diagram write different SVG files", async () => {
        expect(path.resolve(OUT_SVG)).to.not.equal(path.resolve(README_SVG));
        const { text } = await section.render(await program(README_DIAGRAM_CONFIG));
        expect(text).to.include(path.basename(OUT_SVG)).and.not.include(` ${path.basename(README_SVG)}`);
        expect(fs.readFileSync(OUT_SVG, "utf8")).to.match(/^<\?xml/);
    });

    it("follows the program: without a model, inference declares nothing and draws no flow", async () => {
        const d = buildDiagram(await program());
        expect(d.edges.filter((e) => (e.from + e.to).includes("Inference_"))).to.deep.equal([]);
    });

    it("renders SVG offline and refuses a README without markers", async () => {
        const svg = await toSvg(buildDiagram(await program()));
        expect(svg).to.match(/^<\?xml/).and.include("RealtimeIngest");
        expect(() => withDiagram("# no markers", "flowchart LR")).to.throw(/markers/);
        expect(withDiagram(`a\n${README_MARKERS.start}\nold\n${README_MARKERS.end}\nb`, "X")).to.equal(`a\n${README_MARKERS.start}\n\`\`\`mermaid\nX\n\`\`\`\n${README_MARKERS.end}\nb`);
    });
});
