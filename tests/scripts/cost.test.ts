import { expect } from "chai";
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { program, ofType } from "../helpers/program";
import { designFromResources, usageFromConfig, runsPerMonth } from "../../policy/lib/cost/design";
import { costOf, costReport, designAtFleet, PLANNING_FLEETS } from "../../scripts/lib/cost/report";
import { recordGzipRatio } from "../../policy/lib/cost/measured";
import { checkStack } from "../../scripts/lib/policy-run";
import { fromProgramRun } from "../../scripts/lib/policy-input";

const run = promisify(execFile);
const BIN = path.join(__dirname, "..", "..", "bin", "mdetect.js");

describe("mdetect cost: the estimate follows the declared resources", () => {
    it("reads shards, registry, alarms and keys from the program run", async () => {
        const dev = await program();
        const design = designFromResources(dev.resources);
        const stream = ofType(dev, "aws:kinesis/stream:Stream")[0];
        expect(design.stream).to.deep.equal({ mode: "PROVISIONED", shards: stream.inputs.shardCount, encrypted: true });
        expect(design.firehose?.transformBatchMb, "the processor's BufferSizeInMBs as deployed").to.equal(3);
        expect(design.rds?.instanceClass).to.equal(ofType(dev, "aws:rds/instance:Instance")[0].inputs.instanceClass);
        expect(design.alarms).to.equal(ofType(dev, "aws:cloudwatch/metricAlarm:MetricAlarm").length).and.be.greaterThan(0);
        expect(design.kmsKeys).to.equal(1);
        expect(design.natGateways).to.equal(0);
        expect(design.lifecycle.enabled).to.equal(true);
        expect(design.lambdaMemoryMb.transform, "the Firehose transform is found by its ARN").to.be.a("number");
        expect(design.endpoint, "no model configured in dev").to.equal(undefined);
    });

    it("prices the serverless endpoint once a model is configured, and an instance when chosen", async () => {
        const withModel = await program({ "mdetect:modelArtifact": "s3://mdetect-models/sample/model.tar.gz" });
        expect(designFromResources(withModel.resources).endpoint).to.deep.include({ kind: "serverless", memoryMb: 2048 });
        const instance = await program({ "mdetect:modelArtifact": "s3://mdetect-models/sample/model.tar.gz", "mdetect:endpointMode": "instance" });
        expect(designFromResources(instance.resources).endpoint).to.deep.include({ kind: "instance", instanceType: "ml.t2.medium" });
        expect(costOf(withModel).comparable.firstMonth.totalUsd, "a stack with a model is compared as it is").to.equal(costOf(withModel).ours.firstMonth.totalUsd);
        const a = costOf(withModel).ours.firstMonth.totalUsd;
        const b = costOf(instance).ours.firstMonth.totalUsd;
        expect(b - a, "always-on ml.t2.medium costs ~$40 more at 50 detectors").to.be.greaterThan(35);
    });

    // One program run per planning size, each in its own test: the capacity table no longer pays them.
    for (const detectors of PLANNING_FLEETS) {
        it(`capacity planning from the one run: the design at ${detectors} detectors is what a real program run at that size declares`, async () => {
            const dev = await program();
            const usage = usageFromConfig(dev.config);
            const real = await program({ "mdetect:detectorCount": detectors });
            expect(usageFromConfig(real.config)).to.deep.equal({ ...usage, detectors });
            expect(designAtFleet(designFromResources(dev.resources), { ...usage, detectors })).to.deep.equal(designFromResources(real.resources));
        });
    }

    it("reads the usage profile from config and schedules from rate expressions", async () => {
        const dev = await program();
        expect(usageFromConfig(dev.config)).to.include({ detectors: 50, bytesPerSecondPerDetector: 329, readingsPerRecord: 600, recordGzipRatio: recordGzipRatio(600) });
        expect(usageFromConfig({ ...dev.config, "mdetect:recordEncoding": "plain" }).recordGzipRatio, "plain records are billed as sent").to.equal(undefined);
        expect(() => usageFromConfig({ ...dev.config, "mdetect:recordEncoding": "zstd" })).to.throw(/gzip or plain/);
        expect(runsPerMonth("rate(5 minutes)")).to.equal(730 * 12);
        expect(runsPerMonth("rate(1 hour)")).to.equal(730);
        expect(() => usageFromConfig({})).to.throw(/detectorCount/);
    });

    it("fails the budget rule when the budget is set below the estimate, passes it on dev", async () => {
        const evaluateStack = async (overrides: Record<string, unknown>) => {
            const r = await program(overrides);
            return checkStack(fromProgramRun(r), r.stack, r.config).findings.filter((f) => f.rule === "cost-within-budget");
        };
        expect(await evaluateStack({})).to.deep.equal([]);
        const low = await evaluateStack({ "mdetect:budgetMonthlyUsd": 5 });
        expect(low).to.have.length(1);
        expect(low[0].message).to.match(/exceeds budget/);
    });

    it("reports the breakdown, per-detector cost, the ratio to the seed design and the targets against the floor", async () => {
        // In process on the suite's cached run: the report is a function of the run (the CLI test below checks the wiring).
        const report = JSON.parse(JSON.stringify(await costReport(await program({ "mdetect:detectorCount": 1000 }), { capacity: false })));
        expect(report.estimate.usage.detectors).to.equal(1000);
        const total = report.estimate.breakdown.reduce((s: number, b: { usd: number }) => s + b.usd, 0);
        expect(total).to.be.closeTo(report.estimate.firstMonth.totalUsd, 1e-6);
        expect(report.estimate.perDetectorUsd).to.be.closeTo(report.estimate.firstMonth.totalUsd / 1000, 1e-9);
        // Like for like: the seed always hosted a model, so ours is compared with inference on.
        expect(report.seed.oursWithInference.firstMonth.totalUsd).to.be.greaterThan(report.estimate.firstMonth.totalUsd);
        expect(report.seed.ratio).to.be.closeTo(report.seed.estimate.firstMonth.totalUsd / report.seed.oursWithInference.firstMonth.totalUsd, 1e-9).and.greaterThan(1);
        expect(report.estimate.months).to.have.length(12);
        expect(report.capacity, "not asked for").to.equal(undefined);
        // The target view: month 12 with inference on, per detector, against the floor.
        const [plain, gzip, direct] = report.target;
        for (const t of report.target) {
            expect(t.month).to.equal(12);
            expect(t.perDetectorUsd).to.be.closeTo(t.totalUsd / 1000, 1e-9);
            expect(t.ratioToFloor).to.be.closeTo(t.totalUsd / t.floorUsd, 1e-9);
            expect(t.upperBoundUsd).to.be.at.least(t.totalUsd);
            for (const l of t.lines) expect(l.region, l.item).to.be.a("string").and.not.equal("");
        }
        expect(gzip.variant, "gzip is the firmware contract's default").to.include("[as configured]");
        expect(report.target.map((t: { configured: boolean }) => t.configured)).to.deep.equal([false, true, false]);
        expect(gzip.totalUsd, "firmware gzip cuts the bill").to.be.lessThan(plain.totalUsd);
        expect(direct.totalUsd, "Direct PUT drops the stream").to.be.lessThan(gzip.totalUsd);
        expect(gzip.totalUsd, "issue 17 target: <= $100 at 1,000 detectors, month 12, inference on").to.be.at.most(100);
    });

    it("prints the report as JSON from the command line, capacity planning included", async () => {
        const { stdout } = await run(process.execPath, [BIN, "cost", "--detectors", "1000", "--json"], { maxBuffer: 10 * 1024 * 1024 });
        const report = JSON.parse(stdout);
        expect(report.estimate.usage.detectors).to.equal(1000);
        expect(report.target.map((t: { month: number }) => t.month)).to.deep.equal([12, 12, 12]);
        expect(report.estimate.perDetectorUsd).to.be.closeTo(report.estimate.firstMonth.totalUsd / 1000, 1e-9);
        expect(report.capacity.map((r: { detectors: number }) => r.detectors)).to.deep.equal([...PLANNING_FLEETS]);
        const shards = report.capacity.map((r: { shards: number }) => r.shards);
        expect(shards[3]).to.be.greaterThan(shards[0]);
    });

    it("refuses a bad --detectors with a clear message", async () => {
        const err = await run(process.execPath, [BIN, "cost", "--detectors", "0"]).then(() => undefined, (e) => e);
        expect(err?.code).to.equal(2);
        expect(err.stderr).to.include("option '--detectors <n>' argument '0' is invalid. expects a whole number >= 1, got '0'");
    });
});
