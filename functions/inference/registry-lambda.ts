/** RegistryPort over the registry access Lambda (how the inference Lambda reaches the VPC). */
import { LambdaClient } from "@aws-sdk/client-lambda";
import { invokeRegistry } from "../registry/access-client";
import type { InferenceRecordJson, OwnerSpanJson } from "../registry/access-handler";
import { RegistryPort } from "./registry-port";

const iso = (d: Date) => d.toISOString();

/**
 * Detector days per invoke: ~100 bytes of JSON each, so 10,000 keep a request near 1 MB, far under
 * Lambda's 6 MB synchronous payload limit whatever the fleet (the first call also carries the findings).
 */
export const DETECTOR_DAYS_PER_CALL = 10_000;

export function lambdaRegistry(lambda: LambdaClient, functionName: string): RegistryPort {
    return {
        async ownerSpans(serials, from, to) {
            const spans = await invokeRegistry<OwnerSpanJson[]>(lambda, functionName, { op: "ownerSpans", args: { serials, from: iso(from), to: iso(to) } });
            return spans.map((s) => ({ serial: s.serial, owner: s.owner, startsAt: new Date(s.startsAt), endsAt: s.endsAt === undefined ? undefined : new Date(s.endsAt) }));
        },
        async recordInference(input) {
            const days = input.detectorDays.map((d) => ({ serial: d.serial, firstReadingAt: iso(d.firstReadingAt), lastReadingAt: iso(d.lastReadingAt) }));
            const first: InferenceRecordJson = {
                stream: input.stream && { ...input.stream, firstReadingAt: iso(input.stream.firstReadingAt), lastReadingAt: iso(input.stream.lastReadingAt) },
                findings: input.findings.map((f) => ({ ...f, periodStart: iso(f.periodStart), periodEnd: iso(f.periodEnd) })),
                detectorDays: days.slice(0, DETECTOR_DAYS_PER_CALL),
            };
            type Recorded = { findingIds: string[]; unknownDetectors: string[] };
            const head = await invokeRegistry<Recorded>(lambda, functionName, { op: "recordInference", args: first });
            const rest = await Promise.all(Array.from({ length: Math.ceil(days.length / DETECTOR_DAYS_PER_CALL) - 1 }, (_, i) =>
                invokeRegistry<Recorded>(lambda, functionName, { op: "recordInference", args: { findings: [], detectorDays: days.slice((i + 1) * DETECTOR_DAYS_PER_CALL, (i + 2) * DETECTOR_DAYS_PER_CALL) } })));
            return { findingIds: head.findingIds, unknownDetectors: [...head.unknownDetectors, ...rest.flatMap((r) => r.unknownDetectors)].sort() };
        },
    };
}
