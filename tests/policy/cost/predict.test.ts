import { expect } from "chai";
import { MEASURED_CSV_BYTES_PER_READING } from "../../../policy/lib/cost/measured";
import fc from "fast-check";
import { Design, SECONDS_PER_MONTH, estimateMonth, flow, inferenceSeconds } from "../../../policy/lib/cost/model";
import { FUNCTION_NAMES, Workload, predictMeter, priceMeter } from "../../../policy/lib/cost/predict";
import { Meter, meterSince, relativeDifference } from "../../../policy/lib/cost/meter";
import { PRICES } from "../../../policy/lib/cost/prices";
import { meteredDesign } from "./fixtures";

const GB = 1024 ** 3;
const design: Design = meteredDesign(256);
const workload: Workload = { detectors: 100, simulatedSeconds: 600, readingsPerRecord: 60, bytesPerReading: 329, compressionRatio: 0.15, clients: 5 };

describe("policy/lib/cost: predicting and pricing a meter (calibration contract)", () => {
    it("predicts the records, bytes and billed bytes a run sends, from the model's own arithmetic", () => {
        const m = predictMeter(design, workload);
        // 100 detectors x 600 s / 60 readings per record = 1,000 records of 60 x 330 B.
        expect(m.calls["kinesis:PutRecord"]).to.be.closeTo(1000, 1e-6);
        expect(m.bytesIn.kinesis).to.be.closeTo(1000 * 60 * 330, 1e-3);
        expect(m.firehose).to.deep.include({ records: m.calls["kinesis:PutRecord"] });
        expect(m.firehose.billedBytes).to.be.closeTo(1000 * 4 * 5120, 1e-3);
        expect(m.endpoint.rows).to.be.closeTo(60_000, 1e-6);
        expect(m).to.include({ simulatedSeconds: 600, detectors: 100 });
    });

    it("uses the meter's documented keys: service:Operation calls, prefixes with a slash, plan function names", () => {
        const m = predictMeter(design, { ...workload, badReadingShare: 0.1 });
        for (const key of Object.keys(m.calls)) expect(key).to.match(/^[a-z0-9]+:[A-Z][A-Za-z]+$/);
        expect(Object.keys(m.objects).sort()).to.deep.equal(["curated/", "findings/", "quarantine/", "raw/"]);
        expect(Object.keys(m.lambda).sort()).to.deep.equal(Object.values(FUNCTION_NAMES).sort());
        const direct = predictMeter({ ...design, stream: undefined }, workload);
        expect(direct.calls).to.have.property("firehose:PutRecord").and.not.to.have.property("kinesis:PutRecord");
    });

    it("scales volumes linearly with detectors and time, keeps rows in = curated + quarantined", () => {
        fc.assert(fc.property(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 60, max: 86_400 }), fc.double({ min: 0, max: 0.5, noNaN: true }), (detectors, seconds, bad) => {
            const m = predictMeter(design, { ...workload, detectors, simulatedSeconds: seconds, badReadingShare: bad });
            const all = detectors * seconds;
            expect(m.endpoint.rows).to.be.closeTo((1 - bad) * all, 1e-6 * all);
            const curated = m.objects["curated/"].bytes + (m.objects["quarantine/"]?.bytes ?? 0) * 0;
            expect(curated).to.be.closeTo((1 - bad) * all * MEASURED_CSV_BYTES_PER_READING * 0.15, 1e-6 * all * MEASURED_CSV_BYTES_PER_READING);
            expect(relativeDifference(m.bytesIn.kinesis, all / 60 * 60 * 330)).to.be.lessThan(1e-9);
        }), { numRuns: 60 });
        expect(() => predictMeter(design, { ...workload, badReadingShare: 2 })).to.throw(/badReadingShare/);
        expect(() => predictMeter(design, { ...workload, simulatedSeconds: 0 })).to.throw(/simulatedSeconds/);
    });

    it("bills the inference for the run's own curated objects: a short run's are smaller and quicker than the month's", () => {
        const usage = { detectors: 1000, bytesPerSecondPerDetector: 329, readingsPerRecord: 60, compressionRatio: 0.15, clients: 5, apiCallsPerMonth: 0 };
        const perInvocation = (m: Meter) => m.lambda[FUNCTION_NAMES.inference].billedMs / 1000 / m.lambda[FUNCTION_NAMES.inference].invocations;
        const month = predictMeter(design, { ...workload, detectors: 1000, simulatedSeconds: SECONDS_PER_MONTH });
        expect(relativeDifference(perInvocation(month), inferenceSeconds(design, flow(design, usage)))).to.be.lessThan(0.01);
        const short = predictMeter(design, { ...workload, detectors: 1000, simulatedSeconds: 20 });
        expect(perInvocation(short)).to.be.lessThan(perInvocation(month));
    });

    it("meterSince: what a meter counted between two snapshots, a function's memory kept, unchanged keys dropped", () => {
        const before = predictMeter(design, workload);
        const after = predictMeter(design, { ...workload, simulatedSeconds: 3 * workload.simulatedSeconds });
        const d = meterSince(after, before);
        expect(d.simulatedSeconds).to.equal(2 * workload.simulatedSeconds);
        expect(d.calls["kinesis:PutRecord"]).to.be.closeTo(after.calls["kinesis:PutRecord"] - before.calls["kinesis:PutRecord"], 1e-9);
        expect(d.firehose.billedBytes).to.be.closeTo(after.firehose.billedBytes - before.firehose.billedBytes, 1e-6);
        const fn = FUNCTION_NAMES.transform;
        expect(d.lambda[fn]).to.deep.equal({ invocations: after.lambda[fn].invocations - before.lambda[fn].invocations, billedMs: after.lambda[fn].billedMs - before.lambda[fn].billedMs, memoryMb: 256 });
        expect(d.objects["curated/"].count).to.equal(after.objects["curated/"].count - before.objects["curated/"].count);
        const idle = meterSince(after, after);
        expect([idle.calls, idle.objects, idle.lambda]).to.deep.equal([{}, {}, {}]);
        expect(idle.endpoint).to.deep.equal({ requests: 0, rows: 0, bytes: 0 });
    });

    it("prices a meter with prices.json: each line from its own price, nothing for an idle meter", () => {
        const m = predictMeter(design, workload);
        const priced = priceMeter(m);
        const byItem = (prefix: string) => priced.lines.find((l) => l.item.startsWith(prefix))!;
        expect(byItem("ingestion").usd).to.be.closeTo(m.firehose.billedBytes / GB * PRICES["firehose.ingestGb"].usd, 1e-15);
        expect(byItem("PUT payload units").quantity).to.be.closeTo(1000, 1e-6);
        expect(byItem("PUT requests").usd).to.be.closeTo(m.calls["s3:PutObject"] * PRICES["s3.putRequest"].usd, 1e-15);
        const inference = m.lambda[FUNCTION_NAMES.inference];
        expect(byItem(FUNCTION_NAMES.inference).usd).to.be.closeTo(inference.invocations * PRICES["lambda.request"].usd + inference.billedMs / 1000 * inference.memoryMb / 1024 * PRICES["lambda.arm64GbSecond"].usd, 1e-15);
        const idle: Meter = { simulatedSeconds: 1, detectors: 0, calls: {}, bytesIn: {}, bytesOut: {}, objects: {}, lambda: {}, firehose: { records: 0, bytes: 0, billedBytes: 0 }, endpoint: { requests: 0, rows: 0, bytes: 0 }, registry: { queries: 0 } };
        expect(priceMeter(idle)).to.deep.equal({ lines: [], totalUsd: 0 });
    });

    it("over a month, the priced prediction agrees with the estimate's usage lines (one arithmetic, two views)", () => {
        const usage = { detectors: 100, bytesPerSecondPerDetector: 329, readingsPerRecord: 60, compressionRatio: 0.15, clients: 5, apiCallsPerMonth: 0 };
        const m = predictMeter(design, { ...workload, simulatedSeconds: SECONDS_PER_MONTH });
        const est = estimateMonth(design, usage, 1);
        const firehose = est.lines.find((l) => l.service === "Firehose")!.usd;
        expect(relativeDifference(priceMeter(m).lines.find((l) => l.service === "Firehose")!.usd, firehose)).to.be.lessThan(1e-9);
        const f = flow(design, usage);
        expect(relativeDifference(m.lambda[FUNCTION_NAMES.inference].invocations, f.inferenceInvocations)).to.be.lessThan(0.01);
        expect(relativeDifference(m.lambda[FUNCTION_NAMES.registryAccess].invocations, f.inferenceRegistryCalls + f.deviceKeyLookups)).to.be.lessThan(0.01);
    });
});
