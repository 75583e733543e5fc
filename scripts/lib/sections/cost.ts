import type { ReportSection } from "../report-sections";
import { costReport, renderCostSummary } from "../cost/report";

export const section: ReportSection = {
    title: "Cost",
    async render(run) {
        return { text: renderCostSummary(await costReport(run, { capacity: true })), exitCode: 0 };
    },
};
