/**
 * The estimate's summary and usage-driven fixed lines, each figure derived here: the breakdown by
 * service, the month series and its peak, the per-detector cost, log and KMS request volumes, and
 * the meter helpers calibration rests on.
 */
import { expect } from "chai";
import table from "../../../policy/lib/cost/prices.json";
import { Design, GB, SECONDS_PER_MONTH, chunkSeconds, estimate, estimateMonth, flow, inferenceSeconds, registryGb, registryGrowthGb } from "../../../policy/lib/cost/model";
import { gbSeconds, relativeDifference } from "../../../policy/lib/cost/meter";
import { MEASURED_CSV_BYTES_PER_READING, MEASURED_FEATURE_BYTES_PER_ROW } from "../../../policy/lib/cost/measured";
import { bare, noLifecycle, usage } from "./fixtures";

const MIB = 1024 ** 2;
const p = (id: keyof typeof table.prices): number => table.prices[id].usd;
const design: Design = {
    ...bare, firehose: { bufferMiB: 64, bufferSeconds: 60, compressed: true }, endpoint: { kind: "serverless", memoryMb: 2048 }, lambdaMemoryMb: { transform: 256, inference: 1024, registryAccess: 256, api: 512, scheduled: 128 },
    scheduledRunsPerMonth: 8760, rds: { instanceClass: "db.t4g.micro", storageGb: 20, multiAz: false }, kmsKeys: 1, natGateways: 1, findingsDataEvents: true,
    lifecycle: { ...noLifecycle, enabled: true, rawToGlacierDays: 30, rawToDeepArchiveDays: 120, curatedToInfrequentAccessDays: 30, curatedToGlacierDays: 90 },
};
const u = { ...usage, detectors: 200, clients: 4, apiCallsPerMonth: 20_000 };

describe("policy/lib/cost/model: the estimate's summary", () => {
    it("breaks the first month down by service, dearest first, each the sum of its lines", () => {
        const e = estimate(design, u, 6);
        const first = estimateMonth(design, u, 1);
        const sums = new Map<string, number>();
        for (const l of first.lines) sums.set(l.service, (sums.get(l.service) ?? 0) + l.usd);
        expect(e.breakdown.map((b) => b.service).sort()).to.deep.equal([...sums.keys()].sort());
        for (const b of e.breakdown) expect(b.usd, b.service).to.be.closeTo(sums.get(b.service)!, 1e-12);
        for (let i = 1; i < e.breakdown.length; i++) expect(e.breakdown[i - 1].usd).to.be.at.least(e.breakdown[i].usd);
        expect(e.breakdown.filter((b) => b.service === "Lambda")).to.have.length(1);
    });

    it("gives each month's total, the last month, the peak and the first month per detector", () => {
        const e = estimate(design, u, 6);
        const months = [1, 2, 3, 4, 5, 6].map((m) => estimateMonth(design, u, m));
        expect(e.months).to.deep.equal(months.map((m) => ({ month: m.month, totalUsd: m.totalUsd, storedGb: m.storedGb })));
        expect(e.firstMonth).to.deep.equal(months[0]);
        expect(e.lastMonth).to.deep.equal(months[5]);
        expect(e.peakMonthUsd).to.equal(Math.max(...months.map((m) => m.totalUsd)));
        expect(e.peakMonthUsd, "data accumulates: the peak is later than month 1").to.be.greaterThan(months[0].totalUsd);
        expect(e.perDetectorUsd).to.be.closeTo(months[0].totalUsd / 200, 1e-12);
        expect(e.usage).to.equal(u);
        expect(estimate(design, u, 1).months).to.have.length(1);
        expect(estimate(design, u).months, "a year by default").to.have.length(12);
        for (const bad of [0, 1.5, NaN]) expect(() => estimate(design, u, bad), String(bad)).to.throw(`months must be a whole number >= 1, got ${bad}`);
    });

    it("sizes usage-driven fixed lines: bucket-key KMS requests, log ingestion, downloads, NAT data, the scheduled checks", () => {
        const f = flow(design, u);
        const est = estimateMonth(design, u, 1);
        const line = (item: string) => est.lines.find((l) => l.item === item)!;
        expect(line("requests (S3 bucket keys)").quantity).to.be.closeTo((f.rawObjects + f.curatedObjects + f.findingsObjects) * 0.01, 1e-9);
        const invocations = est.lines.filter((l) => l.service === "Lambda").reduce((n, l) => n + l.quantity, 0);
        expect(invocations).to.be.closeTo(f.transformInvocations + f.inferenceInvocations + f.inferenceRegistryCalls + f.deviceKeyLookups + 20_000 + 8760, 1e-6);
        expect(line("log ingestion").quantity).to.be.closeTo((invocations * 1024 + 20_000 * 400) / GB, 1e-12);
        expect(line("data events (finding downloads)").quantity).to.be.closeTo(2000, 1e-9);
        // Each reading crosses the NAT twice: its curated CSV row in, its 70-byte findings row out.
        expect(line("NAT gateway data processed").quantity).to.be.closeTo(200 * SECONDS_PER_MONTH * (MEASURED_CSV_BYTES_PER_READING + 70) / GB, 1e-9);
        expect(line("scheduled checks").usd).to.be.closeTo(8760 * p("lambda.request") + 8760 * 0.5 * 128 / 1024 * p("lambda.arm64GbSecond"), 1e-12);
        expect(line("client API").usd).to.be.closeTo(20_000 * p("lambda.request") + 20_000 * 0.15 * 512 / 1024 * p("lambda.arm64GbSecond"), 1e-12);
        expect(line("registry access (2 calls per curated object, device keys per transform batch)").usd).to.be.closeTo((f.inferenceRegistryCalls + f.deviceKeyLookups) * (p("lambda.request") + 0.1 * 256 / 1024 * p("lambda.arm64GbSecond")), 1e-12);
    });

    it("times one inference invocation of a small object: base, CSV CPU, one chunk, the findings PUT waves, two registry round trips", () => {
        const f = flow(design, u);
        const rows = f.readings / f.curatedObjects;
        expect(rows, "one chunk").to.be.lessThan(Math.floor(4e6 / MEASURED_FEATURE_BYTES_PER_ROW));
        const puts = Math.ceil(f.findingsObjects / f.curatedObjects / 16) * 0.05;
        expect(inferenceSeconds(design, f)).to.be.closeTo(0.1 + 0.2 * (rows * MEASURED_CSV_BYTES_PER_READING) / MIB + chunkSeconds(rows) + puts + 2 * 0.05, 1e-12);
        // 40 clients x 2 projects, a minute's object spilling into the next hour 1/60 of the time: 81.3 findings objects per curated object, six PUT waves of 16.
        const many = flow(design, { ...u, clients: 40 });
        expect(Math.ceil(many.findingsObjects / many.curatedObjects / 16)).to.equal(6);
        expect(inferenceSeconds(design, many) - inferenceSeconds(design, f)).to.be.closeTo((6 - 1) * 0.05, 1e-12);
    });

    it("grows the registry by its monthly growth each month", () => {
        const f = flow(design, u);
        expect(registryGb(f, 3) - registryGb(f, 1)).to.be.closeTo(2 * registryGrowthGb(f), 1e-12);
        expect(registryGb(f, 0)).to.equal(0.5);
    });
});

describe("policy/lib/cost/meter: calibration helpers", () => {
    it("bills GB-seconds as billed seconds x memory in GB", () => {
        expect(gbSeconds({ invocations: 3, billedMs: 3000, memoryMb: 2048 })).to.equal(6);
        expect(gbSeconds({ invocations: 1, billedMs: 500, memoryMb: 512 })).to.equal(0.25);
    });

    it("measures relative difference against the larger magnitude, 0 for two zeros", () => {
        expect(relativeDifference(3, 4)).to.equal(0.25);
        expect(relativeDifference(4, 3)).to.equal(0.25);
        expect(relativeDifference(-2, 2), "opposite signs").to.equal(2);
        expect(relativeDifference(0, 5)).to.equal(1);
        expect(relativeDifference(0, 0)).to.equal(0);
        expect(relativeDifference(7, 7)).to.equal(0);
    });
});
