/**
 * `mdetect preview [--stack NAME] [--json [FILE]]`: the offline plan. Runs the program under
 * mocks with the stack's config and prints every resource grouped by component, then the
 * stack outputs. `--json` prints (or writes to FILE) `{ stack, config, resources, outputs }`.
 * Later sections (policy, cost, diagram) register themselves in scripts/lib/report-sections.ts.
 */
import * as fs from "fs";
import { runProgram } from "../lib/mock-run";
import { toPlan, renderPlan } from "../lib/plan";
import { parseArgs } from "../lib/args";
import { reportSections } from "../lib/report-sections";

export const description = "offline plan of the stack under Pulumi's mock runtime (what `npm start` runs)";

export async function run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, { stack: "string", json: "optional-string" });
    const stack = (args.stack as string | undefined) ?? "dev";
    const programRun = await runProgram({ stack });
    const plan = toPlan(programRun);
    if (args.json !== undefined) {
        const text = JSON.stringify(plan, null, 2);
        if (typeof args.json === "string" && args.json !== "") {
            fs.writeFileSync(args.json, text + "\n");
            console.error(`plan written to ${args.json} (${plan.resources.length} resources)`);
        } else {
            console.log(text);
        }
        return 0;
    }
    console.log(renderPlan(plan));
    let status = 0;
    for (const section of reportSections()) {
        const { text, exitCode } = await section.render(programRun);
        console.log(`\n${section.title}\n${"=".repeat(section.title.length)}\n${text}`);
        status = Math.max(status, exitCode);
    }
    return status;
}
