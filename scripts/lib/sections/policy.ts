/** The policy section of `npm start`: the pack over the run just planned; mandatory violations fail the run. */
import type { ReportSection } from "../report-sections";
import { fromProgramRun } from "../policy-input";
import { checkStack } from "../policy-run";
import { renderText } from "../policy-report";
import { RULES } from "../../../policy/rules";

export const section: ReportSection = {
    title: "Policy pack (CrossGuard, offline)",
    async render(run) {
        const result = checkStack(fromProgramRun(run), run.stack, run.config);
        return { text: renderText(result.findings, RULES, result.resourceCount), exitCode: result.blocking.length > 0 ? 1 : 0 };
    },
};
