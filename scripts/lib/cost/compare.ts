/**
 * What the design is measured against: the seed's straightforward configuration, and the fleet
 * sizes at which a different choice would become cheaper. Same model, different inputs.
 */
import { streamCapacity } from "../../../infra/capacity";
import { Design, Usage, estimateMonth, HOURS_PER_MONTH } from "../../../policy/lib/cost/model";
import { instanceHour } from "../../../policy/lib/cost/prices";

/** The seed's always-on real-time endpoint: the cheapest instance the seed's deploy script would pick. */
export const SEED_ENDPOINT_INSTANCE = "ml.t2.medium";

/**
 * The seed as proposed: one reading per Kinesis record, no compression, everything in S3
 * Standard, an always-on real-time endpoint and a NAT gateway for the VPC Lambdas.
 */
export function seedVariant(design: Design, usage: Usage): { design: Design; usage: Usage } {
    const seedUsage: Usage = { ...usage, readingsPerRecord: 1, compressionRatio: 1 };
    return {
        usage: seedUsage,
        design: {
            ...design,
            stream: { mode: "PROVISIONED", shards: streamCapacity({ detectorCount: usage.detectors, bytesPerSecondPerDetector: usage.bytesPerSecondPerDetector, readingsPerRecord: 1 }).shards },
            firehose: design.firehose && { ...design.firehose, compressed: false },
            endpoint: { kind: "instance", instanceType: SEED_ENDPOINT_INSTANCE, count: 1 },
            natGateways: 1,
            lifecycle: { ...design.lifecycle, enabled: false },
        },
    };
}

function serviceUsd(design: Design, usage: Usage, service: string): number {
    return estimateMonth(design, usage, 1).lines.filter((l) => l.service === service).reduce((s, l) => s + l.usd, 0);
}

/** S3 PUTs above this share of the bill mean objects are too small for the volume. */
const FINDINGS_PUT_SHARE = 0.25;

export interface DecisionPoint {
    readonly question: string;
    /** Fleet size from which the alternative is cheaper; undefined when it never is up to `ceiling`. */
    readonly fromDetectors?: number;
    readonly detail: string;
}

/** Smallest fleet in [1, ceiling] for which `cheaper(n)` holds, assuming it stays true beyond. */
function firstFleet(ceiling: number, cheaper: (n: number) => boolean): number | undefined {
    if (!cheaper(ceiling)) return undefined;
    let lo = 1;
    let hi = ceiling;
    while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (cheaper(mid)) hi = mid; else lo = mid + 1;
    }
    return lo;
}

export function decisionPoints(design: Design, usage: Usage, ceiling = 100_000): DecisionPoint[] {
    const at = (n: number): Usage => ({ ...usage, detectors: n });
    const provisioned = (n: number): Design => ({ ...design, stream: { mode: "PROVISIONED", shards: streamCapacity({ detectorCount: n, bytesPerSecondPerDetector: usage.bytesPerSecondPerDetector, readingsPerRecord: usage.readingsPerRecord }).shards } });
    const onDemand: Design = { ...design, stream: { mode: "ON_DEMAND", shards: 0 } };
    const serverless: Design = { ...design, endpoint: { kind: "serverless", memoryMb: design.endpoint?.kind === "serverless" ? design.endpoint.memoryMb : 2048 } };
    const instance: Design = { ...design, endpoint: { kind: "instance", instanceType: SEED_ENDPOINT_INSTANCE, count: 1 } };
    const instanceMonthly = HOURS_PER_MONTH * instanceHour("sagemaker", SEED_ENDPOINT_INSTANCE);

    const inferenceFrom = firstFleet(ceiling, (n) => serviceUsd(instance, at(n), "SageMaker") < serviceUsd(serverless, at(n), "SageMaker"));
    const onDemandFrom = firstFleet(ceiling, (n) => serviceUsd(onDemand, at(n), "Kinesis") < serviceUsd(provisioned(n), at(n), "Kinesis"));
    const findingsPuts = (n: number): number => {
        const month = estimateMonth(serverless, at(n), 1);
        const puts = month.lines.find((l) => l.item === "PUT requests");
        return puts ? puts.usd : 0;
    };
    const findingsFrom = firstFleet(ceiling, (n) => findingsPuts(n) > FINDINGS_PUT_SHARE * estimateMonth(serverless, at(n), 1).totalUsd);
    const onDemandBelow = [1, 10, 100].find((n) => serviceUsd(onDemand, at(n), "Kinesis") < serviceUsd(provisioned(n), at(n), "Kinesis"));
    return [
        {
            question: `instance-backed inference (${SEED_ENDPOINT_INSTANCE}, $${instanceMonthly.toFixed(2)}/month) instead of serverless`,
            fromDetectors: inferenceFrom,
            detail: inferenceFrom === undefined ? `serverless stays cheaper up to ${ceiling} detectors` : `switch endpointMode to instance from about ${inferenceFrom} detectors (and check the serverless concurrency limits well before)`,
        },
        {
            question: "findings as one object per client, project and day instead of per detector and source object",
            fromDetectors: findingsFrom,
            detail: findingsFrom === undefined
                ? `S3 PUTs stay under ${FINDINGS_PUT_SHARE * 100}% of the bill up to ${ceiling} detectors`
                : `from about ${findingsFrom} detectors S3 PUTs (mostly findings objects, one per detector per Firehose object) exceed ${FINDINGS_PUT_SHARE * 100}% of the bill: batch findings per client, project and day`,
        },
        {
            question: "on-demand Kinesis instead of provisioned shards",
            fromDetectors: onDemandFrom,
            detail: onDemandFrom !== undefined
                ? `on-demand is cheaper from ${onDemandFrom} detectors`
                : onDemandBelow !== undefined
                    ? `on-demand is cheaper only for tiny fleets (${onDemandBelow})`
                    : `provisioned stays cheaper for steady telemetry at every fleet size up to ${ceiling}: on-demand bills every GB in and out; use it only for spiky or unknown load`,
        },
    ];
}
