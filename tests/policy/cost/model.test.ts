import { expect } from "chai";
import fc from "fast-check";
import { Design, Usage, estimate, estimateMonth, flow, SECONDS_PER_MONTH, HOURS_PER_MONTH } from "../../../policy/lib/cost/model";
import { streamCapacity } from "../../../infra/capacity";
import { PRICES } from "../../../policy/lib/cost/prices";
import { bare, noLifecycle, usage } from "./fixtures";

const GB = 1024 ** 3;
const KB = 1024;

function line(design: Design, u: Usage, month: number, item: string) {
    return estimateMonth(design, u, month).lines.find((l) => l.item.startsWith(item));
}

describe("policy/lib/cost: the model, term by term", () => {
    it("rounds every Firehose record up to 5 KB", () => {
        // 1 KB readings sent one per record: each bills as 5 KB.
        const one = flow(bare, usage);
        expect(one.firehoseBilledGb).to.be.closeTo(SECONDS_PER_MONTH * 5 * KB / GB, 1e-9);
        // 60 readings per record = 61,440 B = exactly 12 units of 5 KB: billed = sent.
        const batched = flow(bare, { ...usage, readingsPerRecord: 60 });
        expect(batched.firehoseBilledGb).to.be.closeTo(SECONDS_PER_MONTH * 1024 / GB, 1e-9);
        // 61 readings = 62,464 B -> 13 units.
        const odd = flow(bare, { ...usage, readingsPerRecord: 61 });
        expect(odd.firehoseBilledGb).to.be.closeTo((SECONDS_PER_MONTH / 61) * 13 * 5 * KB / GB, 1e-9);
        expect(line(bare, usage, 1, "ingestion")!.usd).to.be.closeTo(one.firehoseBilledGb * PRICES["firehose.ingestGb"].usd, 1e-12);
    });

    it("charges the archive classes' 40 KB per-object overhead", () => {
        const design: Design = { ...bare, lifecycle: { enabled: true, rawToGlacierDays: 0, rawToDeepArchiveDays: 10_000, curatedToInfrequentAccessDays: 10_000, curatedToGlacierDays: 20_000, expireDays: 0 } };
        const objects = flow(design, usage).firehoseObjects;
        // Firehose flushes every 900 s at this volume: 2,920 objects a month.
        expect(objects).to.be.closeTo(SECONDS_PER_MONTH / 900, 1e-9);
        const expected = objects * (8 * KB / GB * PRICES["s3.standardGbMonth"].usd + 32 * KB / GB * PRICES["s3.glacierGbMonth"].usd);
        expect(line(design, usage, 1, "archive per-object overhead")!.usd).to.be.closeTo(expected, 1e-12);
    });

    it("counts lifecycle transition requests in the month a cohort changes class", () => {
        const design: Design = { ...bare, lifecycle: { enabled: true, rawToGlacierDays: 30, rawToDeepArchiveDays: 120, curatedToInfrequentAccessDays: 10_000, curatedToGlacierDays: 20_000, expireDays: 0 } };
        const objects = flow(design, usage).firehoseObjects;
        expect(line(design, usage, 1, "lifecycle transitions"), "nothing moves in month 1").to.equal(undefined);
        const m2 = line(design, usage, 2, "lifecycle transitions")!;
        expect(m2.quantity).to.be.closeTo(objects, 1e-9);
        expect(m2.usd).to.be.closeTo(objects * PRICES["s3.transitionToGlacier"].usd, 1e-12);
        // Month 5: cohort 1 (age ~137 d) reaches Deep Archive, cohort 4 (~46 d) reaches Glacier.
        const m5 = line(design, usage, 5, "lifecycle transitions")!;
        expect(m5.usd).to.be.closeTo(objects * (PRICES["s3.transitionToDeepArchive"].usd + PRICES["s3.transitionToGlacier"].usd), 1e-12);
    });

    it("bills provisioned shard-hours and 25 KB PUT payload units", () => {
        const design: Design = { ...bare, stream: { mode: "PROVISIONED", shards: 3 } };
        expect(line(design, usage, 1, "shard-hours")!.usd).to.be.closeTo(3 * HOURS_PER_MONTH * PRICES["kinesis.shardHour"].usd, 1e-9);
        // 30 KB records take two 25 KB units each.
        const u = { ...usage, readingsPerRecord: 30 };
        expect(line(design, u, 1, "PUT payload units")!.quantity).to.be.closeTo((SECONDS_PER_MONTH / 30) * 2, 1e-6);
    });

    it("sizes shards at the bytes limit and at the records limit", () => {
        // 1,000 detectors at 1 KB/s = 1,024,000 B/s; 75% of 1 MiB per shard -> 2 shards, bytes-bound.
        expect(streamCapacity({ detectorCount: 1000, bytesPerSecondPerDetector: 1024, readingsPerRecord: 60 })).to.include({ shards: 2, limitedBy: "bytes" });
        // 1,000 detectors unbatched = 1,000 records/s; 750 per shard -> 2 shards, records-bound at 100 B readings.
        expect(streamCapacity({ detectorCount: 1000, bytesPerSecondPerDetector: 100, readingsPerRecord: 1 })).to.include({ shards: 2, limitedBy: "records" });
    });

    it("bills an instance-backed endpoint for every hour, a serverless one per use", () => {
        const instance: Design = { ...bare, endpoint: { kind: "instance", instanceType: "ml.t2.medium", count: 1 } };
        expect(line(instance, usage, 1, "ml.t2.medium")!.usd).to.be.closeTo(HOURS_PER_MONTH * 0.056, 1e-9);
        const serverless: Design = { ...bare, endpoint: { kind: "serverless", memoryMb: 2048 } };
        const small = line(serverless, usage, 1, "serverless compute")!.usd;
        const large = line(serverless, { ...usage, detectors: 10 }, 1, "serverless compute")!.usd;
        expect(large).to.be.closeTo(10 * small, 1e-12);
    });

    it("never costs less with more detectors (any design, any profile)", () => {
        fc.assert(fc.property(
            fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 20_000 }),
            fc.integer({ min: 1, max: 120 }), fc.boolean(), fc.constantFrom("serverless", "instance"),
            (a, b, perRecord, lifecycle, endpointKind) => {
                const [small, big] = a <= b ? [a, b] : [b, a];
                const design = (n: number): Design => ({
                    ...bare,
                    stream: { mode: "PROVISIONED", shards: streamCapacity({ detectorCount: n, bytesPerSecondPerDetector: 1024, readingsPerRecord: perRecord }).shards },
                    endpoint: endpointKind === "serverless" ? { kind: "serverless", memoryMb: 2048 } : { kind: "instance", instanceType: "ml.t2.medium", count: 1 },
                    lambdaMemoryMb: { transform: 256, inference: 1024 },
                    lifecycle: lifecycle ? { enabled: true, rawToGlacierDays: 30, rawToDeepArchiveDays: 180, curatedToInfrequentAccessDays: 30, curatedToGlacierDays: 365, expireDays: 0 } : noLifecycle,
                });
                const u = (n: number): Usage => ({ ...usage, detectors: n, readingsPerRecord: perRecord });
                const lo = estimate(design(small), u(small), 12);
                const hi = estimate(design(big), u(big), 12);
                return lo.months.every((m, i) => m.totalUsd <= hi.months[i].totalUsd + 1e-9);
            }), { numRuns: 200 });
    });

    it("accumulates storage month by month and moves it down the classes", () => {
        const design: Design = { ...bare, lifecycle: { enabled: true, rawToGlacierDays: 30, rawToDeepArchiveDays: 180, curatedToInfrequentAccessDays: 30, curatedToGlacierDays: 365, expireDays: 0 } };
        const e = estimate(design, { ...usage, detectors: 100 }, 12);
        for (let i = 1; i < 12; i++) expect(e.months[i].storedGb).to.be.greaterThan(e.months[i - 1].storedGb);
        const m12 = estimateMonth(design, { ...usage, detectors: 100 }, 12).lines.map((l) => l.item);
        expect(m12).to.include.members(["storage Standard", "storage Glacier Flexible Retrieval", "storage Glacier Deep Archive", "storage Standard-IA"]);
        expect(() => estimate(design, usage, 0)).to.throw(/months/);
    });
});

