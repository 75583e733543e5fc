/**
 * The cost report: the estimate for a program run, the comparison with the seed's design and
 * capacity planning across fleet sizes, all computed from the one run.
 */
import type { ProgramRun } from "../mock-run";
import { designFromResources, usageFromConfig } from "../../../policy/lib/cost/design";
import type { CostLine, Design, Usage } from "../../../policy/lib/cost/model";
import { estimate, Estimate, flow, PRICES_TARGET_REGION } from "../../../policy/lib/cost/model";
import { floorMonth } from "../../../policy/lib/cost/floor";
import { recordGzipRatio, UNCONFIRMED_PRICE_UPLIFT } from "../../../policy/lib/cost/measured";
import { seedVariant, decisionPoints, DecisionPoint, directPutVariant } from "./compare";
import { streamCapacity } from "../../../infra/capacity";
import { PRICE_TABLE_NOTE } from "../../../policy/lib/cost/prices";

export const PLANNING_FLEETS = [10, 100, 1_000, 10_000] as const;

export interface CapacityRow {
    readonly detectors: number;
    readonly shards: number;
    readonly limitedBy: "bytes" | "records";
    readonly firehoseGbBilledPerMonth: number;
    readonly s3ObjectsPerDay: number;
    readonly storedGbAfter1Month: number;
    readonly storedGbAfter12Months: number;
    readonly monthlyUsd: number;
    readonly perDetectorUsd: number;
}

export interface TargetView {
    readonly variant: string;
    /** The variant the stack's own config describes (its mdetect:recordEncoding, with the stream). */
    readonly configured: boolean;
    readonly month: number;
    readonly totalUsd: number;
    readonly perDetectorUsd: number;
    /** Upper bound with every non-Sydney price raised by UNCONFIRMED_PRICE_UPLIFT. */
    readonly upperBoundUsd: number;
    readonly floorUsd: number;
    readonly ratioToFloor: number;
    readonly lines: CostLine[];
    readonly floorLines: CostLine[];
}

export interface CostReport {
    readonly stack: string;
    readonly estimate: Estimate;
    /** The seed's design against ours with inference on (the seed always had a model). */
    readonly seed: { readonly estimate: Estimate; readonly oursWithInference: Estimate; readonly ratio: number };
    readonly decisions: DecisionPoint[];
    /** Month `months` of the design with inference on, as the firmware sends plain or gzipped records, against the floor. */
    readonly target: TargetView[];
    readonly capacity?: CapacityRow[];
    readonly prices: string;
}

/** Inference Lambda memory assumed when a stack has no model yet (infra/inference.ts sizes it at 1 GB). */
const INFERENCE_LAMBDA_MB = 1024;

/**
 * The seed always hosted a model, so the comparison is like for like: a stack without a model
 * yet is compared as it will be once one is configured (serverless, from its own config).
 */
function withInference(design: Design, config: Record<string, unknown>): Design {
    if (design.endpoint) return design;
    return {
        ...design,
        endpoint: { kind: "serverless", memoryMb: Number(config["mdetect:serverlessMemoryMb"] ?? 2048) },
        lambdaMemoryMb: { ...design.lambdaMemoryMb, inference: design.lambdaMemoryMb.inference ?? INFERENCE_LAMBDA_MB },
    };
}

function targetView(variant: string, design: Design, usage: Usage, months: number, configured: boolean): TargetView {
    const e = estimate(design, usage, months).lastMonth;
    const floor = floorMonth(usage, months, design.endpoint !== undefined);
    return {
        variant: `${variant}${configured ? " [as configured]" : ""}`, configured, month: months, totalUsd: e.totalUsd, perDetectorUsd: e.totalUsd / usage.detectors,
        upperBoundUsd: e.totalUsd + UNCONFIRMED_PRICE_UPLIFT * e.unconfirmedUsd,
        floorUsd: floor.totalUsd, ratioToFloor: e.totalUsd / floor.totalUsd, lines: e.lines, floorLines: floor.lines,
    };
}

/**
 * The design with inference on, whatever the stack's mdetect:recordEncoding: the firmware sending
 * plain records, gzip records (the contract's default, issue 17 item 4), and gzip with Firehose
 * Direct PUT instead of the stream. The record length is the stack's readingsPerRecord either way.
 */
export function targetViews(design: Design, usage: Usage, months = 12): TargetView[] {
    const ratio = recordGzipRatio(usage.readingsPerRecord);
    const plain = { ...usage, recordGzipRatio: undefined };
    const gz = { ...usage, recordGzipRatio: ratio };
    const gzipConfigured = usage.recordGzipRatio !== undefined;
    const records = `${usage.readingsPerRecord} readings a record`;
    return [
        targetView(`Kinesis stream, firmware sends plain NDJSON, ${records}`, design, plain, months, !gzipConfigured),
        targetView(`Kinesis stream, firmware gzips each record (measured ratio ${ratio.toFixed(4)}), ${records}`, design, gz, months, gzipConfigured),
        targetView(`firmware gzip + Firehose Direct PUT (no Kinesis stream), ${records}`, directPutVariant(design), gz, months, false),
    ];
}

export function costOf(run: Pick<ProgramRun, "resources" | "config">, months = 12): { ours: Estimate; comparable: Estimate; seed: Estimate; decisions: DecisionPoint[]; target: TargetView[] } {
    const design = designFromResources(run.resources);
    const usage = usageFromConfig(run.config);
    const comparableDesign = withInference(design, run.config);
    const seed = seedVariant(comparableDesign, usage);
    return {
        ours: estimate(design, usage, months),
        comparable: estimate(comparableDesign, usage, months),
        seed: estimate(seed.design, seed.usage, months),
        decisions: decisionPoints(comparableDesign, usage),
        target: targetViews(comparableDesign, usage, months),
    };
}

/**
 * The design at another fleet size (`usage.detectors`), read from this run: the fleet size reaches the program only
 * through the stream's shard count (infra/realtime-ingest.ts sizes provisioned shards with
 * streamCapacity), so everything else is the run's own. tests/scripts/cost.test.ts holds this
 * against a real program run at each planning size.
 */
export function designAtFleet(design: Design, usage: Usage): Design {
    if (design.stream?.mode !== "PROVISIONED") return design;
    const shards = streamCapacity({ detectorCount: usage.detectors, bytesPerSecondPerDetector: usage.bytesPerSecondPerDetector, readingsPerRecord: usage.readingsPerRecord }).shards;
    return { ...design, stream: { ...design.stream, shards } };
}

/** Capacity across fleet sizes, all from the one run (no program run per size: the model is pure). */
export function capacityPlan(run: Pick<ProgramRun, "resources" | "config">, fleets: readonly number[] = PLANNING_FLEETS): CapacityRow[] {
    const runDesign = designFromResources(run.resources);
    const runUsage = usageFromConfig(run.config);
    return fleets.map((detectors) => {
        const usage: Usage = { ...runUsage, detectors };
        const design = designAtFleet(runDesign, usage);
        const est = estimate(design, usage, 12);
        const f = flow(design, usage);
        const cap = streamCapacity({ detectorCount: detectors, bytesPerSecondPerDetector: usage.bytesPerSecondPerDetector, readingsPerRecord: usage.readingsPerRecord });
        return {
            detectors,
            shards: design.stream?.shards ?? 0,
            limitedBy: cap.limitedBy,
            firehoseGbBilledPerMonth: f.firehoseBilledGb,
            s3ObjectsPerDay: (f.rawObjects + f.curatedObjects + f.findingsObjects) / (365 / 12),
            storedGbAfter1Month: est.months[0].storedGb,
            storedGbAfter12Months: est.months[11].storedGb,
            monthlyUsd: est.firstMonth.totalUsd,
            perDetectorUsd: est.perDetectorUsd,
        };
    });
}

export async function costReport(run: ProgramRun, options: { months?: number; capacity?: boolean } = {}): Promise<CostReport> {
    const { ours, comparable, seed, decisions, target } = costOf(run, options.months ?? 12);
    return {
        stack: run.stack,
        estimate: ours,
        seed: { estimate: seed, oursWithInference: comparable, ratio: seed.firstMonth.totalUsd / comparable.firstMonth.totalUsd },
        decisions,
        target,
        capacity: options.capacity ? capacityPlan(run) : undefined,
        prices: PRICE_TABLE_NOTE,
    };
}

const usd = (n: number): string => `$${n.toFixed(2)}`;

export function renderCostSummary(report: CostReport): string {
    const e = report.estimate;
    const shown = report.target.find((t) => t.configured) ?? report.target[0];
    const lines = [
        `Estimated monthly cost for ${e.usage.detectors} detectors (first month): ${usd(e.firstMonth.totalUsd)} (${usd(e.perDetectorUsd)} per detector)`,
        ...e.breakdown.map((b) => `  ${b.service.padEnd(16)} ${usd(b.usd).padStart(10)}`),
        `12-month view: ${e.months.map((m) => `m${m.month} ${usd(m.totalUsd)}`).join(", ")}`,
        `Peak month: ${usd(e.peakMonthUsd)}`,
        `Seed's straightforward design (1 reading/record, no compression, all S3 Standard, always-on endpoint, NAT): ${usd(report.seed.estimate.firstMonth.totalUsd)} = ${report.seed.ratio.toFixed(1)}x this design with inference on (${usd(report.seed.oursWithInference.firstMonth.totalUsd)})`,
        ...report.target.flatMap((t) => [
            `With inference on, month ${t.month}, ${t.variant}: ${usd(t.totalUsd)} (${usd(t.perDetectorUsd)} per detector; at most ${usd(t.upperBoundUsd)} if every non-${PRICES_TARGET_REGION} price is ${UNCONFIRMED_PRICE_UPLIFT * 100}% higher in Sydney); floor ${usd(t.floorUsd)}, ratio ${t.ratioToFloor.toFixed(2)}`,
        ]),
        `Month ${shown.month} lines, ${shown.variant} (price region in brackets):`,
        ...shown.lines.filter((l) => l.usd >= 0.005).sort((a, b) => b.usd - a.usd)
            .map((l) => `  ${l.service.padEnd(16)} ${l.item.padEnd(58)} ${usd(l.usd).padStart(9)}  [${l.region}]`),
        `Floor for the same job, month ${shown.month} (compressed telemetry in Deep Archive, cheapest ingest, minimum registry, scoring):`,
        ...shown.floorLines.map((l) => `  ${l.service.padEnd(16)} ${l.item.padEnd(58)} ${usd(l.usd).padStart(9)}  [${l.region}]`),
        "Where the design should change:",
        ...report.decisions.map((d) => `  - ${d.question}: ${d.detail}`),
    ];
    if (report.capacity) {
        lines.push("Capacity planning:", "  detectors  shards (limit)    Firehose GB/mo  S3 objects/day  stored GB m1 / m12   $/month  $/detector");
        for (const r of report.capacity) {
            lines.push(`  ${String(r.detectors).padStart(9)}  ${`${r.shards} (${r.limitedBy})`.padEnd(16)} ${r.firehoseGbBilledPerMonth.toFixed(1).padStart(14)}  ${Math.round(r.s3ObjectsPerDay).toString().padStart(14)}  ${`${r.storedGbAfter1Month.toFixed(1)} / ${r.storedGbAfter12Months.toFixed(1)}`.padStart(19)}  ${usd(r.monthlyUsd).padStart(9)}  ${usd(r.perDetectorUsd).padStart(9)}`);
        }
    }
    lines.push(`Prices: policy/lib/cost/prices.json, target region ${PRICES_TARGET_REGION}; every line above is marked with the region its price came from. ${report.prices}`);
    return lines.join("\n");
}
