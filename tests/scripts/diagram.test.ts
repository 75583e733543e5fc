import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { program } from "../helpers/program";
import { buildDiagram, toMermaid, toSvg, withDiagram, README_MARKERS } from "../../scripts/lib/diagram";
import { README_DIAGRAM_CONFIG } from "../../scripts/commands/diagram";

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
        // Every edge joins drawn nodes; access components and the key draw no flows.
        const ids = new Set(d.nodes.map((n) => n.id));
        for (const e of d.edges) expect(ids.has(e.from) && ids.has(e.to), `${e.from} -> ${e.to}`).to.equal(true);
        expect(d.edges.some((e) => /PeopleAccess|CiDeploy|DataKey/.test(e.from + e.to))).to.equal(false);
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
