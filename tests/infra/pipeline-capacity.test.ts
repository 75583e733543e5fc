import { expect } from "chai";
import fc from "fast-check";
import { LIMITS, PipelineProfile, pipelineCapacity } from "../../infra/capacity";

const profile = (detectorCount: number, over: Partial<PipelineProfile> = {}): PipelineProfile => ({
    detectorCount, bytesPerSecondPerDetector: 329, readingsPerRecord: 60, sentRecordBytes: 60 * 330, csvBytesPerReading: 110,
    bufferMiB: 64, bufferSeconds: 900, inferenceSeconds: 16, transformSeconds: 0.85, transformBatchBytes: 3e6,
    endpointConcurrencyPerRun: 5, projects: 20, registryCallsPerRun: 1 + Math.ceil(detectorCount / 5000), registryCallSeconds: 0.05, ...over,
});

describe("infra/capacity: the pipeline's stages against their documented limits", () => {
    it("at 20,000 detectors: curated objects every ~30 s, half an inference run in flight, every limit with headroom", () => {
        const c = pipelineCapacity(profile(20_000));
        expect(1 / c.curatedObjectsPerSecond).to.be.closeTo(64 * 1024 * 1024 / (20_000 * 110), 1e-9);
        expect(c.inferenceConcurrency).to.be.closeTo(16 * c.curatedObjectsPerSecond, 1e-12);
        expect(c.registryNewConnectionsPerSecondWorstCase).to.be.lessThan(LIMITS.iamAuthNewConnectionsPerSecond);
        for (const [limit, headroom] of Object.entries(c.headroom)) {
            if (limit.startsWith("firehoseDirectPut")) continue; // only when Direct PUT replaces the stream
            expect(headroom, limit).to.be.greaterThan(1);
        }
        expect(c.headroom.firehoseDirectPutBytesPerSecond, "plain records exceed Direct PUT's 1 MiB/s").to.be.lessThan(1);
        expect(pipelineCapacity(profile(20_000, { sentRecordBytes: 2020 })).headroom.firehoseDirectPutBytesPerSecond, "gzipped ones fit").to.be.greaterThan(1);
    });

    it("never needs less of anything for more detectors", () => {
        fc.assert(fc.property(fc.integer({ min: 1, max: 200_000 }), fc.integer({ min: 1, max: 200_000 }), (a, b) => {
            const [lo, hi] = [pipelineCapacity(profile(Math.min(a, b))), pipelineCapacity(profile(Math.max(a, b)))];
            for (const k of ["shards", "transformConcurrency", "inferenceConcurrency", "endpointConcurrency", "registryConnections", "s3PutsPerSecondPeakPrefix"] as const) {
                if (lo[k] > hi[k] + 1e-12) return false;
            }
            return true;
        }));
    });
});
