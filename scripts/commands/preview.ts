/**
 * `mdetect preview [--stack NAME] [--json [FILE|-]] [--verbose]`: the offline plan. Runs the program
 * under mocks with the stack's config and prints every resource grouped by component, the stack
 * outputs, then the report sections (policy, cost, diagram: scripts/lib/report-sections.ts).
 * Lines fit the terminal (scripts/lib/width.ts); `--verbose` shows every input in full instead.
 * `--json` writes `{ stack, config, resources, outputs }` to FILE, by default out/plan.json
 * (`npm start` prints npm's own banner on stdout, so stdout would not hold valid JSON);
 * `--json -` prints it to stdout instead.
 */
import * as fs from "fs";
import * as path from "path";
import { runProgram, ROOT } from "../lib/mock-run";
import { toPlan, renderPlan } from "../lib/plan";
import { reportSections } from "../lib/report-sections";
import { fitWidth, outputWidth } from "../lib/width";
import { Command, action, examples } from "../lib/cli";

export const DEFAULT_PLAN_FILE = path.join(ROOT, "out", "plan.json");

async function run(opts: { stack: string; json?: string | true; verbose?: boolean }): Promise<number> {
    const programRun = await runProgram({ stack: opts.stack });
    const plan = toPlan(programRun);
    if (opts.json !== undefined) {
        const text = JSON.stringify(plan, null, 2) + "\n";
        if (opts.json === "-") {
            process.stdout.write(text);
        } else {
            const file = opts.json === true ? DEFAULT_PLAN_FILE : opts.json;
            fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
            fs.writeFileSync(file, text);
            console.error(`plan written to ${path.relative(process.cwd(), path.resolve(file))} (${plan.resources.length} resources)`);
        }
        return 0;
    }
    const fit = opts.verbose ? (text: string) => text : (text: string) => fitWidth(text, outputWidth());
    console.log(fit(renderPlan(plan, { full: opts.verbose })));
    let status = 0;
    for (const section of reportSections()) {
        const { text, exitCode } = await section.render(programRun);
        console.log(fit(`\n${section.title}\n${"=".repeat(section.title.length)}\n${text}`));
        status = Math.max(status, exitCode);
    }
    return status;
}

export function command(): Command {
    const cmd = new Command("preview")
        .description("offline plan of the stack under Pulumi's mock runtime (what `npm start` runs)")
        .option("--stack <name>", "stack whose Pulumi.<stack>.yaml config is planned", "dev")
        .option("--json [file]", "write the plan as JSON to FILE (default out/plan.json), or to stdout with -")
        .option("-v, --verbose", "show every input in full (tags, policies, long values) instead of fitting the terminal width");
    examples(cmd, ["npm start", "npm start -- --verbose", "mdetect preview --stack prod --json out/prod-plan.json", "mdetect preview --json - | jq '.resources | length'"]);
    return action(cmd, run);
}
