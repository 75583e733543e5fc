import { expect } from "chai";
import { Design, Usage, estimate, estimateMonth } from "../../../policy/lib/cost/model";
import { seedVariant, decisionPoints } from "../../../scripts/lib/cost/compare";
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
