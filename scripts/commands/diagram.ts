/**
 * `mdetect diagram [--check]` (`npm run diagram`): regenerates the README's architecture diagram
 * from a program run (Mermaid between the markers) and writes out/architecture.svg of the same run
 * (`npm start` writes its own stack's drawing to out/preview-architecture.svg instead). `--check`
 * changes nothing and exits 1 when the README's diagram is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { runProgram, ROOT } from "../lib/mock-run";
import { buildDiagram, toMermaid, toSvg, withDiagram } from "../lib/diagram";
import { Command, action, examples } from "../lib/cli";

/** The README shows the whole pipeline, so it is drawn with a model configured (dev has none yet). */
export const README_DIAGRAM_CONFIG = { "mdetect:modelArtifact": "s3://mdetect-models/sample/model.tar.gz" };

export const README_SVG = path.join(ROOT, "out", "architecture.svg");

async function run(opts: { check?: boolean; stack: string }): Promise<number> {
    const programRun = await runProgram({ stack: opts.stack, config: README_DIAGRAM_CONFIG });
    const readmePath = path.join(ROOT, "README.md");
    const current = fs.readFileSync(readmePath, "utf8");
    const diagram = buildDiagram(programRun);
    const updated = withDiagram(current, toMermaid(diagram));
    if (opts.check) {
        if (updated !== current) {
            console.error("README.md's architecture diagram is stale: run `npm run diagram`");
            return 1;
        }
        console.log("README.md's architecture diagram is current");
        return 0;
    }
    fs.writeFileSync(readmePath, updated);
    fs.mkdirSync(path.dirname(README_SVG), { recursive: true });
    fs.writeFileSync(README_SVG, await toSvg(diagram));
    console.log(`README.md diagram updated; ${diagram.nodes.length} components, ${diagram.edges.length} flows: written to ${path.relative(process.cwd(), README_SVG)}`);
    return 0;
}

export function command(): Command {
    const cmd = new Command("diagram")
        .description("regenerate the README's architecture diagram from the program (--check: fail when stale)")
        .option("--check", "change nothing; exit 1 when README.md's diagram is stale")
        .option("--stack <name>", "stack whose config draws the diagram", "dev");
    examples(cmd, ["npm run diagram", "mdetect diagram --check"]);
    return action(cmd, run);
}
