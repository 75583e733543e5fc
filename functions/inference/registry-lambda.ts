/** RegistryPort over the registry access Lambda (how the inference Lambda reaches the VPC). */
import { LambdaClient } from "@aws-sdk/client-lambda";
import { invokeRegistry } from "../registry/access-client";
import type { InferenceRecordJson, OwnerSpanJson } from "../registry/access-handler";
import { RegistryPort } from "./registry-port";

const iso = (d: Date) => d.toISOString();

export function lambdaRegistry(lambda: LambdaClient, functionName: string): RegistryPort {
    return {
        async ownerSpans(serials, from, to) {
            const spans = await invokeRegistry<OwnerSpanJson[]>(lambda, functionName, { op: "ownerSpans", args: { serials, from: iso(from), to: iso(to) } });
            return spans.map((s) => ({ serial: s.serial, owner: s.owner, startsAt: new Date(s.startsAt), endsAt: s.endsAt === undefined ? undefined : new Date(s.endsAt) }));
        },
        recordInference(input) {
            const args: InferenceRecordJson = {
                stream: input.stream && { ...input.stream, firstReadingAt: iso(input.stream.firstReadingAt), lastReadingAt: iso(input.stream.lastReadingAt) },
                findings: input.findings.map((f) => ({ ...f, periodStart: iso(f.periodStart), periodEnd: iso(f.periodEnd) })),
                detectorDays: input.detectorDays.map((d) => ({ serial: d.serial, firstReadingAt: iso(d.firstReadingAt), lastReadingAt: iso(d.lastReadingAt) })),
            };
            return invokeRegistry(lambda, functionName, { op: "recordInference", args });
        },
    };
}
