/** RegistryPort over the registry access Lambda (how the inference Lambda reaches the VPC). */
import { LambdaClient } from "@aws-sdk/client-lambda";
import { invokeRegistry } from "../registry/access-client";
import type { Owner } from "../registry/types";
import { RegistryPort } from "./registry-port";

export function lambdaRegistry(lambda: LambdaClient, functionName: string): RegistryPort {
    return {
        async ownersAt(queries) {
            const owners = await invokeRegistry<(Owner | null)[]>(lambda, functionName, {
                op: "ownersAt",
                args: { pairs: queries.map((q) => ({ detector: q.detector, at: q.at.toISOString() })) },
            });
            return owners.map((o) => o ?? undefined);
        },
        async recordFinding(input) {
            const { id } = await invokeRegistry<{ id: string }>(lambda, functionName, {
                op: "recordFinding",
                args: { ...input, periodStart: input.periodStart.toISOString(), periodEnd: input.periodEnd.toISOString() },
            });
            return { id };
        },
        async recordDataFile(input) {
            await invokeRegistry<string>(lambda, functionName, {
                op: "recordDataFile",
                args: { ...input, firstReadingAt: input.firstReadingAt?.toISOString(), lastReadingAt: input.lastReadingAt?.toISOString() },
            });
        },
    };
}
