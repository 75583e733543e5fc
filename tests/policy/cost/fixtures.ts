/** A bare design and a one-detector profile that cost tests vary one term at a time. */
import { expect } from "chai";
import type { Design, Usage } from "../../../policy/lib/cost/model";

export const usage: Usage = { detectors: 1, bytesPerSecondPerDetector: 1023, readingsPerRecord: 1, compressionRatio: 0.2, clients: 1, apiCallsPerMonth: 0 };
export const noLifecycle = { enabled: false, rawToGlacierDays: 0, rawToDeepArchiveDays: 0, curatedToInfrequentAccessDays: 0, curatedToGlacierDays: 0, expireDays: 0 };
export const bare: Design = {
    firehose: { bufferMiB: 64, bufferSeconds: 900, compressed: true },
    lambdaMemoryMb: {},
    scheduledRunsPerMonth: 0,
    kmsKeys: 0, alarms: 0, dashboards: 0, customMetrics: 0, secrets: 0, interfaceEndpointAzs: 0, natGateways: 0,
    findingsDataEvents: false,
    lifecycle: noLifecycle,
};

/** A metered pipeline: one shard, 60 s buffers (64 MiB never fills at 100 detectors), a serverless endpoint, the functions deployed. */
export function meteredDesign(registryAccessMb: number): Design {
    return {
        ...bare,
        stream: { mode: "PROVISIONED", shards: 1, encrypted: true },
        firehose: { bufferMiB: 64, bufferSeconds: 60, compressed: true, transformBatchMb: 3 },
        endpoint: { kind: "serverless", memoryMb: 2048, maxConcurrency: 5 },
        lambdaMemoryMb: { transform: 256, inference: 1024, registryAccess: registryAccessMb },
    };
}

/** A priced line as derived by hand: service, item, quantity, unit, dollars. */
export type ExpectedLine = readonly [service: string, item: string, quantity: number, unit: string, usd: number];

/** `lines` are exactly `expected`, in order, each quantity and price within a relative 1e-9; their total within `totalTolerance`. */
export function expectPricedLines(priced: { lines: readonly { service: string; item: string; unit: string; quantity: number; usd: number }[]; totalUsd: number }, expected: readonly ExpectedLine[], totalTolerance: number): void {
    expect(priced.lines.map((l) => [l.service, l.item, l.unit])).to.deep.equal(expected.map(([s, i, , unit]) => [s, i, unit]));
    priced.lines.forEach((l, i) => {
        expect(l.quantity, l.item).to.be.closeTo(expected[i][2], 1e-9 * expected[i][2]);
        expect(l.usd, l.item).to.be.closeTo(expected[i][4], 1e-9 * expected[i][4]);
    });
    expect(priced.totalUsd).to.be.closeTo(expected.reduce((n, e) => n + e[4], 0), totalTolerance);
}
