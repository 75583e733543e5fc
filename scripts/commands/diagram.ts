/**
 * `mdetect diagram [--check]`: regenerates the README's architecture diagram from a program
 * run (Mermaid between the markers) and writes out/architecture.svg of the same run. `--check` changes
 * nothing and exits 1 when the README's diagram is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { runProgram, ROOT } from "../lib/mock-run";
import { parseArgs } from "../lib/args";
import { buildDiagram, toMermaid, withDiagram } from "../lib/diagram";
import { section } from "../lib/sections/diagram";

export const description = "regenerate the README's architecture diagram from the program (--check: fail when stale)";

/** The README shows the whole pipeline, so it is drawn with a model configured (dev has none yet). */
export const README_DIAGRAM_CONFIG = { "mdetect:modelArtifact": "s3://mdetect-models/sample/model.tar.gz" };

export async function run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, { check: "boolean", stack: "string" });
    const programRun = await runProgram({ stack: (args.stack as string | undefined) ?? "dev", config: README_DIAGRAM_CONFIG });
    const readmePath = path.join(ROOT, "README.md");
    const current = fs.readFileSync(readmePath, "utf8");
    const updated = withDiagram(current, toMermaid(buildDiagram(programRun)));
    if (args.check) {
        if (updated !== current) {
            console.error("README.md's architecture diagram is stale: run `npm run diagram`");
            return 1;
        }
        console.log("README.md's architecture diagram is current");
        return 0;
    }
    fs.writeFileSync(readmePath, updated);
    console.log((await section.render(programRun)).text);
    return 0;
}
