import { expect } from "chai";
import { Design, Usage, estimate, estimateMonth } from "../../../policy/lib/cost/model";
import { seedVariant, decisionPoints, directPutVariant } from "../../../scripts/lib/cost/compare";
import { bare, usage } from "../../policy/cost/fixtures";

describe("cost: the seed comparison and decision points", () => {
    const ours: Design = {
        ...bare,
        stream: { mode: "PROVISIONED", shards: 1 },
        endpoint: { kind: "serverless", memoryMb: 2048 },
        lifecycle: { enabled: true, rawToGlacierDays: 30, rawToDeepArchiveDays: 180, curatedToInfrequentAccessDays: 30, curatedToGlacierDays: 365, expireDays: 0 },
    };
    const fleet: Usage = { ...usage, detectors: 100, readingsPerRecord: 60, compressionRatio: 0.15 };

    it("builds the seed's design: unbatched, uncompressed, all Standard, always-on endpoint, NAT", () => {
        const seed = seedVariant(ours, fleet);
        expect(seed.usage).to.include({ readingsPerRecord: 1, compressionRatio: 1 });
        expect(seed.design.endpoint).to.deep.equal({ kind: "instance", instanceType: "ml.t2.medium", count: 1 });
        expect(seed.design.natGateways).to.equal(1);
        expect(seed.design.lifecycle.enabled).to.equal(false);
        expect(seed.design.firehose!.compressed).to.equal(false);
        const ratio = estimate(seed.design, seed.usage).firstMonth.totalUsd / estimate(ours, fleet).firstMonth.totalUsd;
        // The NAT gateway and the always-on endpoint alone cost ~$84/month; ours costs a few dollars at 100 detectors.
        expect(ratio).to.be.greaterThan(5);
    });

    it("finds where an always-on endpoint beats serverless", () => {
        const [inference] = decisionPoints(ours, fleet);
        expect(inference.fromDetectors).to.be.a("number");
        const at = (n: number, d: Design): number => estimateMonth(d, { ...fleet, detectors: n }, 1).lines.filter((l) => l.service === "SageMaker").reduce((s, l) => s + l.usd, 0);
        const instance: Design = { ...ours, endpoint: { kind: "instance", instanceType: "ml.t2.medium", count: 1 } };
        const n = inference.fromDetectors!;
        expect(at(n, instance)).to.be.lessThan(at(n, ours));
        expect(at(n - 1, instance)).to.be.at.least(at(n - 1, ours));
    });
});

describe("cost: the Firehose Direct PUT decision point", () => {
    it("prices the design without the stream: no shard-hours, no per-producer KMS calls, same Firehose bill", () => {
        const withStream: Design = { ...bare, stream: { mode: "PROVISIONED", shards: 1, encrypted: true }, endpoint: { kind: "serverless", memoryMb: 2048 } };
        const fleet: Usage = { ...usage, detectors: 1000, bytesPerSecondPerDetector: 329, readingsPerRecord: 60 };
        const a = estimateMonth(withStream, fleet, 12);
        const b = estimateMonth(directPutVariant(withStream), fleet, 12);
        const of = (m: typeof a, service: string) => m.lines.filter((l) => l.service === service).reduce((s, l) => s + l.usd, 0);
        expect(of(b, "Kinesis")).to.equal(0);
        expect(of(a, "Firehose")).to.be.closeTo(of(b, "Firehose"), 1e-12);
        expect(a.totalUsd - b.totalUsd).to.be.closeTo(of(a, "Kinesis") + a.lines.filter((l) => l.item.startsWith("requests (stream data keys")).reduce((s, l) => s + l.usd, 0), 1e-9);
        const point = decisionPoints(withStream, fleet).find((d) => d.question.startsWith("Firehose Direct PUT"))!;
        expect(point.detail).to.include(`$${b.totalUsd.toFixed(2)} instead of $${a.totalUsd.toFixed(2)}`).and.include("seed asks for Kinesis Data Streams");
    });
});
