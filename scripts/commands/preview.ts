/**
 * `mdetect preview [--stack NAME] [--json [FILE|-]]`: the offline plan. Runs the program under
 * mocks with the stack's config and prints every resource grouped by component, the stack
 * outputs, then the report sections (policy, cost, diagram: scripts/lib/report-sections.ts).
 * `--json` writes `{ stack, config, resources, outputs }` to FILE, by default out/plan.json
 * (`npm start` prints npm's own banner on stdout, so stdout would not hold valid JSON);
 * `--json -` prints it to stdout instead.
 */
import * as fs from "fs";
import * as path from "path";
import { runProgram, ROOT } from "../lib/mock-run";
import { toPlan, renderPlan } from "../lib/plan";
import { parseArgs } from "../lib/args";
import { reportSections } from "../lib/report-sections";

export const description = "offline plan of the stack under Pulumi's mock runtime (what `npm start` runs)";

export const DEFAULT_PLAN_FILE = path.join(ROOT, "out", "plan.json");

export async function run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, { stack: "string", json: "optional-string" });
    const stack = (args.stack as string | undefined) ?? "dev";
    const programRun = await runProgram({ stack });
    const plan = toPlan(programRun);
    if (args.json !== undefined) {
        const text = JSON.stringify(plan, null, 2) + "\n";
        if (args.json === "-") {
            process.stdout.write(text);
        } else {
            const file = (args.json as string) || DEFAULT_PLAN_FILE;
            fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
            fs.writeFileSync(file, text);
            console.error(`plan written to ${path.relative(process.cwd(), path.resolve(file))} (${plan.resources.length} resources)`);
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
