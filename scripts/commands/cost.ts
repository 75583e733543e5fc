/**
 * `mdetect cost [--detectors N] [--months M] [--stack NAME] [--json]`: the monthly cost of the
 * stack the program declares, per service and per detector, a month-by-month view, the ratio to
 * the seed's straightforward design and capacity planning across fleet sizes.
 */
import { runProgram } from "../lib/mock-run";
import { parseArgs } from "../lib/args";
import { costReport, renderCostSummary } from "../lib/cost/report";

export const description = "monthly cost estimate, comparison with the seed design, capacity planning";

export async function run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, { detectors: "number", months: "number", stack: "string", json: "boolean" });
    const detectors = args.detectors as number | undefined;
    if (detectors !== undefined && !(Number.isInteger(detectors) && detectors >= 1)) throw new Error("--detectors must be a whole number >= 1");
    const stack = (args.stack as string | undefined) ?? "dev";
    const programRun = await runProgram({ stack, config: detectors !== undefined ? { "mdetect:detectorCount": detectors } : {} });
    const report = await costReport(programRun, { months: args.months as number | undefined, capacity: true });
    console.log(args.json ? JSON.stringify(report, null, 2) : renderCostSummary(report));
    return 0;
}
