import { expect } from "chai";
import fc from "fast-check";
import {
    CapacityError, MAX_RECORD_BYTES, SHARD_BYTES_PER_SECOND, SHARD_RECORDS_PER_SECOND, TARGET_UTILIZATION, streamCapacity,
} from "../../infra/capacity";

describe("infra: Kinesis shard count from the fleet", () => {
    it("gives the dev fleet (50 detectors, 1 KB/s, 60 readings a record) one bytes-limited shard", () => {
        expect(streamCapacity({ detectorCount: 50, bytesPerSecondPerDetector: 1024, readingsPerRecord: 60 }))
            .to.deep.equal({ shards: 1, limitedBy: "bytes", recordsPerSecond: 50 / 60, bytesPerSecond: 51200, recordBytes: 61440 });
    });

    it("sizes 20,000 detectors at 1 KB/s by bytes: 20.48 MB/s over 0.75 MiB/s per shard is 27 shards", () => {
        const c = streamCapacity({ detectorCount: 20000, bytesPerSecondPerDetector: 1024, readingsPerRecord: 60 });
        expect(c).to.include({ shards: 27, limitedBy: "bytes" });
    });

    it("is records-limited for unbatched small readings, and batching removes that limit", () => {
        const unbatched = streamCapacity({ detectorCount: 20000, bytesPerSecondPerDetector: 700, readingsPerRecord: 1 });
        expect(unbatched).to.include({ shards: 27, limitedBy: "records", recordsPerSecond: 20000 }); // 20,000 / 750
        const batched = streamCapacity({ detectorCount: 20000, bytesPerSecondPerDetector: 700, readingsPerRecord: 60 });
        expect(batched).to.include({ shards: 18, limitedBy: "bytes" }); // 14 MB/s / 0.75 MiB/s
        expect(batched.recordsPerSecond).to.be.closeTo(333.33, 0.01);
    });

    it("adds a shard exactly when the headroom is used up", () => {
        const atTarget = SHARD_BYTES_PER_SECOND * TARGET_UTILIZATION / 1024; // 768 detectors fill 75% of one shard
        expect(streamCapacity({ detectorCount: atTarget, bytesPerSecondPerDetector: 1024, readingsPerRecord: 60 }).shards).to.equal(1);
        expect(streamCapacity({ detectorCount: atTarget + 1, bytesPerSecondPerDetector: 1024, readingsPerRecord: 60 }).shards).to.equal(2);
        expect(streamCapacity({ detectorCount: 750, bytesPerSecondPerDetector: 1, readingsPerRecord: 1 }).shards).to.equal(1);
        expect(streamCapacity({ detectorCount: 751, bytesPerSecondPerDetector: 1, readingsPerRecord: 1 })).to.include({ shards: 2, limitedBy: "records" });
    });

    it("for every fleet of 1 to 20,000 detectors: enough shards with headroom for both limits, and no more than needed", () => {
        fc.assert(fc.property(
            fc.integer({ min: 1, max: 20000 }),
            fc.integer({ min: 1, max: 1024 }),
            fc.integer({ min: 1, max: 4096 }),
            (detectorCount, readingsPerRecord, bytesPerSecondPerDetector) => {
                fc.pre(readingsPerRecord * bytesPerSecondPerDetector <= MAX_RECORD_BYTES);
                const c = streamCapacity({ detectorCount, bytesPerSecondPerDetector, readingsPerRecord });
                const bytesCap = (n: number) => n * SHARD_BYTES_PER_SECOND * TARGET_UTILIZATION;
                const recordsCap = (n: number) => n * SHARD_RECORDS_PER_SECOND * TARGET_UTILIZATION;
                expect(c.shards).to.be.at.least(1);
                expect(c.bytesPerSecond).to.be.at.most(bytesCap(c.shards));
                expect(c.recordsPerSecond).to.be.at.most(recordsCap(c.shards));
                if (c.shards > 1) {
                    const binding = c.limitedBy === "bytes" ? c.bytesPerSecond > bytesCap(c.shards - 1) : c.recordsPerSecond > recordsCap(c.shards - 1);
                    expect(binding, "one shard fewer would break the limiting quota").to.equal(true);
                }
                expect(c.recordsPerSecond * readingsPerRecord).to.be.closeTo(detectorCount, 1e-6);
            },
        ), { numRuns: 500 });
    });

    it("rejects a batch larger than a Kinesis record and non-positive inputs", () => {
        expect(() => streamCapacity({ detectorCount: 1, bytesPerSecondPerDetector: 1024, readingsPerRecord: 1025 })).to.throw(CapacityError, /1048576 B Kinesis record limit/);
        expect(() => streamCapacity({ detectorCount: 0, bytesPerSecondPerDetector: 1024, readingsPerRecord: 1 })).to.throw(CapacityError, /detectorCount/);
        expect(() => streamCapacity({ detectorCount: 5, bytesPerSecondPerDetector: 1024, readingsPerRecord: 1.5 })).to.throw(CapacityError, /readingsPerRecord/);
    });
});
