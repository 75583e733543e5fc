/**
 * `mdetect cost [--detectors N] [--months M] [--stack NAME] [--json]`: the monthly cost of the
 * stack the program declares, per service and per detector, a month-by-month view, the ratio to
 * the seed's straightforward design and capacity planning across fleet sizes.
 */
import { runProgram } from "../lib/mock-run";
import { costReport, renderCostSummary } from "../lib/cost/report";
import { Command, action, examples, wholeNumber } from "../lib/cli";

async function run(opts: { detectors?: number; months?: number; stack: string; json?: boolean }): Promise<number> {
    const programRun = await runProgram({ stack: opts.stack, config: opts.detectors !== undefined ? { "mdetect:detectorCount": opts.detectors } : {} });
    const report = await costReport(programRun, { months: opts.months, capacity: true });
    console.log(opts.json ? JSON.stringify(report, null, 2) : renderCostSummary(report));
    return 0;
}

export function command(): Command {
    const cmd = new Command("cost")
        .description("monthly cost estimate, comparison with the seed design, capacity planning")
        .option("--detectors <n>", "fleet size (overrides mdetect:detectorCount)", wholeNumber(1))
        .option("--months <m>", "months in the month-by-month view", wholeNumber(1))
        .option("--stack <name>", "stack whose config is costed", "dev")
        .option("--json", "print the report as JSON");
    examples(cmd, ["mdetect cost", "mdetect cost --detectors 6000 --json"]);
    return action(cmd, run);
}
