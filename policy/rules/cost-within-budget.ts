import type { ResourceView, StackRule } from "../lib/types";
import { declaredBudgets } from "../lib/budget";
import { recordGzipRatio } from "../lib/cost/measured";
// The pack estimates with the same pure model as `mdetect cost`.
import { designFromResources } from "../lib/cost/design";
import { estimate, Usage } from "../lib/cost/model";

interface Config {
    /** Usage profile: CrossGuard cannot read stack config, so `configFromStack` passes it in. */
    readonly detectorCount: number;
    readonly bytesPerSecondPerDetector: number;
    readonly readingsPerRecord: number;
    /** "gzip" bills each record at its measured ratio; anything else as plain NDJSON. */
    readonly recordEncoding: string;
    readonly compressionRatio: number;
    readonly clientCount: number;
    readonly apiCallsPerMonth: number;
    /** The estimate's peak month plus this margin must fit in the budget. */
    readonly marginPercent: number;
}

const MONTHS = 12;

export const rule: StackRule<Config> = {
    kind: "stack",
    name: "cost-within-budget",
    description: "The estimated monthly cost (peak of the next 12 months, from the declared resources and the usage profile) plus a margin stays within the declared budget.",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Make the design cheaper (see `mdetect cost` for the breakdown), or raise mdetect:budgetMonthlyUsd deliberately.",
    configSchema: {
        properties: {
            detectorCount: { type: "integer", default: 50, minimum: 1, description: "Detectors streaming telemetry." },
            bytesPerSecondPerDetector: { type: "integer", default: 1024, minimum: 1, description: "Telemetry bytes per second per detector." },
            readingsPerRecord: { type: "integer", default: 60, minimum: 1, description: "Readings batched per Kinesis record." },
            recordEncoding: { type: "string", default: "plain", description: "How the firmware sends records: gzip, or plain (the default here: the larger bill)." },
            compressionRatio: { type: "number", default: 0.15, description: "Gzip output / input size." },
            clientCount: { type: "integer", default: 5, minimum: 1, description: "Client organisations." },
            apiCallsPerMonth: { type: "integer", default: 100000, minimum: 0, description: "Client API calls per month." },
            marginPercent: { type: "number", default: 10, minimum: 0, description: "Headroom kept between the estimate and the budget." },
        },
    },
    configFromStack: (c) => ({
        detectorCount: Number(c["mdetect:detectorCount"]),
        bytesPerSecondPerDetector: Number(c["mdetect:bytesPerSecondPerDetector"]),
        readingsPerRecord: Number(c["mdetect:readingsPerRecord"]),
        recordEncoding: c["mdetect:recordEncoding"] === "gzip" ? "gzip" : "plain",
        compressionRatio: Number(c["mdetect:compressionRatio"]),
        clientCount: Number(c["mdetect:clientCount"]),
        apiCallsPerMonth: Number(c["mdetect:apiCallsPerMonth"]),
    }),
    check: (resources: readonly ResourceView[], ctx) => {
        const budgets = declaredBudgets(resources).filter((b) => b.limitUsd > 0);
        if (budgets.length === 0) return []; // budget-declared reports a missing budget
        const c = ctx.config;
        const usage: Usage = {
            detectors: c.detectorCount, bytesPerSecondPerDetector: c.bytesPerSecondPerDetector, readingsPerRecord: c.readingsPerRecord,
            compressionRatio: c.compressionRatio, clients: c.clientCount, apiCallsPerMonth: c.apiCallsPerMonth,
            // Kinesis and Firehose bill a gzip record as sent (policy/lib/cost/measured.ts ratios).
            ...(c.recordEncoding === "gzip" ? { recordGzipRatio: recordGzipRatio(c.readingsPerRecord) } : {}),
        };
        const design = designFromResources(resources.map((r) => ({ type: r.type, name: r.name, inputs: r.props as Record<string, any>, state: r.props as Record<string, any> })));
        const peak = estimate(design, usage, MONTHS).peakMonthUsd;
        const needed = peak * (1 + c.marginPercent / 100);
        return budgets.filter((b) => needed > b.limitUsd).map((b) => ({
            resource: b.resource,
            message: `estimated peak monthly cost $${peak.toFixed(2)} + ${c.marginPercent}% margin = $${needed.toFixed(2)} exceeds budget ${b.resource.name} of $${b.limitUsd.toFixed(2)}`,
        }));
    },
};
