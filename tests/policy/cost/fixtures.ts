/** A bare design and a one-detector profile that cost tests vary one term at a time. */
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
