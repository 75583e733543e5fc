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
    const seedUsage: Usage = { ...usage, readingsPerRecord: 1, compressionRatio: 1, recordGzipRatio: undefined };
    return {
        usage: seedUsage,
        design: {
            ...design,
            stream: { mode: "PROVISIONED", shards: streamCapacity({ detectorCount: usage.detectors, bytesPerSecondPerDetector: usage.bytesPerSecondPerDetector, readingsPerRecord: 1 }).shards, encrypted: design.stream?.encrypted },
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
/** Month the decision points compare (steady state: a year of data in the lake). */
const DECISION_MONTH = 12;

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

/** The design with Firehose Direct PUT: detectors write to Firehose, no Kinesis stream (nor its per-producer KMS calls). */
export function directPutVariant(design: Design): Design {
    return { ...design, stream: undefined };
}

export function decisionPoints(design: Design, usage: Usage, ceiling = 100_000): DecisionPoint[] {
    const at = (n: number): Usage => ({ ...usage, detectors: n });
    const shardsFor = (n: number) => streamCapacity({ detectorCount: n, bytesPerSecondPerDetector: usage.bytesPerSecondPerDetector, readingsPerRecord: usage.readingsPerRecord }).shards;
    const provisioned = (n: number): Design => ({ ...design, stream: { mode: "PROVISIONED", shards: shardsFor(n), encrypted: design.stream?.encrypted } });
    const onDemand: Design = { ...design, stream: { mode: "ON_DEMAND", shards: 0, encrypted: design.stream?.encrypted } };
    const serverless: Design = { ...design, endpoint: { kind: "serverless", memoryMb: design.endpoint?.kind === "serverless" ? design.endpoint.memoryMb : 2048 } };
    const instance: Design = { ...design, endpoint: { kind: "instance", instanceType: SEED_ENDPOINT_INSTANCE, count: 1 } };
    const instanceMonthly = HOURS_PER_MONTH * instanceHour("sagemaker", SEED_ENDPOINT_INSTANCE);
    const month = (d: Design, n: number) => estimateMonth(d, at(n), DECISION_MONTH);

    const inferenceFrom = firstFleet(ceiling, (n) => serviceUsd(instance, at(n), "SageMaker") < serviceUsd(serverless, at(n), "SageMaker"));
    const kinesisUsd = (d: Design, n: number) => serviceUsd(d, at(n), "Kinesis") + serviceUsd(d, at(n), "KMS");
    const onDemandFrom = firstFleet(ceiling, (n) => kinesisUsd(onDemand, n) < kinesisUsd(provisioned(n), n));
    const findingsPuts = (n: number): number => month(serverless, n).lines.filter((l) => l.item.startsWith("PUT requests findings")).reduce((s, l) => s + l.usd, 0);
    const findingsFrom = firstFleet(ceiling, (n) => findingsPuts(n) > FINDINGS_PUT_SHARE * month(serverless, n).totalUsd);
    const withStream = month(provisioned(usage.detectors), usage.detectors).totalUsd;
    const direct = month(directPutVariant(provisioned(usage.detectors)), usage.detectors).totalUsd;
    return [
        {
            question: `instance-backed inference (${SEED_ENDPOINT_INSTANCE}, $${instanceMonthly.toFixed(2)}/month) instead of serverless`,
            fromDetectors: inferenceFrom,
            detail: inferenceFrom === undefined ? `serverless stays cheaper up to ${ceiling} detectors` : `switch endpointMode to instance from about ${inferenceFrom} detectors (and check the serverless concurrency limits well before)`,
        },
        {
            question: "findings per client, project and day (compacted) instead of per client, project and hour of each curated object",
            fromDetectors: findingsFrom,
            detail: findingsFrom === undefined
                ? `findings PUTs stay under ${FINDINGS_PUT_SHARE * 100}% of the month-${DECISION_MONTH} bill up to ${ceiling} detectors: hourly objects are cheap enough`
                : `from about ${findingsFrom} detectors findings PUTs exceed ${FINDINGS_PUT_SHARE * 100}% of the month-${DECISION_MONTH} bill: compact them daily`,
        },
        {
            question: "on-demand Kinesis instead of provisioned shards",
            fromDetectors: onDemandFrom,
            detail: onDemandFrom !== undefined
                ? `on-demand is cheaper from ${onDemandFrom} detectors`
                : `provisioned stays cheaper for steady telemetry at every fleet size up to ${ceiling}: on-demand bills every GB in and out; use it only for spiky or unknown load`,
        },
        {
            question: "Firehose Direct PUT (detectors write to Firehose, no Kinesis stream)",
            fromDetectors: direct < withStream ? 1 : undefined,
            detail: `at ${usage.detectors} detectors, month ${DECISION_MONTH}: $${direct.toFixed(2)} instead of $${withStream.toFixed(2)} (no shard-hours, no per-producer KMS data-key calls; Firehose SSE with its AWS-owned key). `
                + "The seed asks for Kinesis Data Streams: Direct PUT gives up the 24 h replay and second consumers, and its per-stream quota outside us-east-1/us-west-2/eu-west-1 is 1 MiB/s, 1,000 requests/s (raise by request)",
        },
    ];
}
