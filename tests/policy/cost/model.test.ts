import { expect } from "chai";
import fc from "fast-check";
import {
    Design, Usage, estimate, estimateMonth, flow, registryGb, registryGrowthGb, SECONDS_PER_MONTH, HOURS_PER_MONTH, DAYS_PER_MONTH,
    KMS_REQUESTS_PER_CREDENTIAL_MONTH, kmsRequestsPerProducerMonth, DEVICE_KEY_TTL_SECONDS, REGISTRY_BYTES_PER_ROW, PROJECTS_PER_CLIENT, PRICES_TARGET_REGION,
} from "../../../policy/lib/cost/model";
import { streamCapacity } from "../../../infra/capacity";
import { PRICES } from "../../../policy/lib/cost/prices";
import { MEASURED_CSV_BYTES_PER_READING, MEASURED_FEATURE_BYTES_PER_ROW } from "../../../policy/lib/cost/measured";
import { bare, noLifecycle, usage } from "./fixtures";

const GB = 1024 ** 3;
const MIB = 1024 ** 2;
const KB = 1024;
const p = (id: keyof typeof PRICES) => PRICES[id].usd;

function lineOf(design: Design, u: Usage, month: number, item: string) {
    return estimateMonth(design, u, month).lines.find((l) => l.item.startsWith(item));
}
const usdOf = (design: Design, u: Usage, month: number, item: string) => lineOf(design, u, month, item)?.usd ?? 0;

/**
 * Oracles: each expected figure is computed here from prices.json and the documented billing
 * rule, independently of the model's own helpers, one design knob at a time.
 */
describe("policy/lib/cost: the model against oracles from prices.json", () => {
    it("rounds every Firehose record up to 5 KB, counting each reading's newline", () => {
        // 1,023-byte readings + "\n": one per record bills 5 KB.
        const u = { ...usage, bytesPerSecondPerDetector: 1023 };
        expect(flow(bare, u).firehoseBilledGb).to.be.closeTo(SECONDS_PER_MONTH * 5 * KB / GB, 1e-9);
        // 60 x 1,024 B = 61,440 B = exactly 12 units; with the newlines 1,023 + 1 also gives 12...
        expect(flow(bare, { ...u, readingsPerRecord: 60 }).firehoseBilledGb).to.be.closeTo((SECONDS_PER_MONTH / 60) * 12 * 5 * KB / GB, 1e-9);
        // ...but 1,024-byte readings + "\n" are 61,500 B: 13 units, not 12 (the boundary the issue names).
        expect(flow(bare, { ...usage, bytesPerSecondPerDetector: 1024, readingsPerRecord: 60 }).firehoseBilledGb).to.be.closeTo((SECONDS_PER_MONTH / 60) * 13 * 5 * KB / GB, 1e-9);
        expect(usdOf(bare, u, 1, "ingestion")).to.be.closeTo(flow(bare, u).firehoseBilledGb * p("firehose.ingestGb"), 1e-12);
    });

    it("bills a firmware-gzipped record as sent: fewer 5 KB units, fewer Kinesis units, raw stored as sent", () => {
        const plain = { ...usage, bytesPerSecondPerDetector: 329, readingsPerRecord: 60 };
        const gz = { ...plain, recordGzipRatio: 0.102 };
        const sent = Math.ceil(60 * 330 * 0.102); // 2,020 B
        expect(flow(bare, gz).recordBytes).to.equal(sent);
        expect(flow(bare, gz).firehoseBilledGb).to.be.closeTo((SECONDS_PER_MONTH / 60) * 5 * KB / GB, 1e-9);
        expect(flow(bare, plain).firehoseBilledGb).to.be.closeTo((SECONDS_PER_MONTH / 60) * 4 * 5 * KB / GB, 1e-9);
        expect(flow(bare, gz).rawStoredBytes, "no second gzip on top").to.be.closeTo((SECONDS_PER_MONTH / 60) * sent, 1e-3);
    });

    it("counts curated objects from CSV bytes and raw objects from sent bytes (Firehose buffers before compression)", () => {
        const design: Design = { ...bare, firehose: { bufferMiB: 64, bufferSeconds: 900, compressed: true } };
        const u = { ...usage, detectors: 5000, bytesPerSecondPerDetector: 329 };
        const f = flow(design, u);
        expect(f.curatedObjects).to.be.closeTo(Math.max(SECONDS_PER_MONTH / 900, 5000 * SECONDS_PER_MONTH * MEASURED_CSV_BYTES_PER_READING / (64 * MIB)), 1e-6);
        expect(f.rawObjects).to.be.closeTo(Math.max(SECONDS_PER_MONTH / 900, 5000 * SECONDS_PER_MONTH * 330 / (64 * MIB)), 1e-6);
        expect(f.rawObjects).to.be.greaterThan(f.curatedObjects);
        expect(usdOf(design, u, 1, "PUT requests raw/")).to.be.closeTo((f.rawObjects + f.curatedObjects) * p("s3.putRequest"), 1e-12);
    });

    it("writes findings per client, project and hour of each curated object: objects follow clients x projects", () => {
        const design: Design = { ...bare, endpoint: { kind: "serverless", memoryMb: 2048 } };
        const small = flow(design, { ...usage, detectors: 500, clients: 5 });
        const big = flow(design, { ...usage, detectors: 500, clients: 10 });
        // The curated buffer flushes every 900 s at this volume: 2 hour-parts per object at most.
        const objects = SECONDS_PER_MONTH / 900;
        expect(small.findingsObjects).to.be.closeTo(objects * 5 * PROJECTS_PER_CLIENT * (1 + 900 / 3600), 1e-6);
        expect(big.findingsObjects / small.findingsObjects).to.be.closeTo(2, 1e-9);
        expect(usdOf(design, { ...usage, detectors: 500, clients: 5 }, 1, "PUT requests findings/")).to.be.closeTo(small.findingsObjects * p("s3.putRequest"), 1e-12);
    });

    it("charges the archive classes' 40 KB per-object overhead (Glacier and Deep Archive)", () => {
        for (const [days, cls, id] of [[[0, 10_000], "Glacier Flexible Retrieval", "s3.glacierGbMonth"], [[0, 0], "Glacier Deep Archive", "s3.deepArchiveGbMonth"]] as const) {
            const design: Design = { ...bare, lifecycle: { ...noLifecycle, enabled: true, rawToGlacierDays: days[0], rawToDeepArchiveDays: days[1], curatedToInfrequentAccessDays: 1e9, curatedToGlacierDays: 1e9 } };
            const big = { ...usage, detectors: 100 };
            const objects = flow(design, big).rawObjects;
            // Month 2: month 1's cohort whole, month 2's half there.
            const expected = 1.5 * objects * (8 * KB / GB * p("s3.standardGbMonth") + 32 * KB / GB * p(id));
            expect(usdOf(design, big, 2, `${cls} per-object overhead`), cls).to.be.closeTo(expected, 1e-12);
        }
    });

    it("counts lifecycle transitions in the month a cohort changes class, and never for objects under 128 KB", () => {
        const design: Design = { ...bare, lifecycle: { ...noLifecycle, enabled: true, rawToGlacierDays: 30, rawToDeepArchiveDays: 120, curatedToInfrequentAccessDays: 1e9, curatedToGlacierDays: 1e9 } };
        const big = { ...usage, detectors: 100 };
        const objects = flow(design, big).rawObjects;
        expect(lineOf(design, big, 1, "lifecycle transitions"), "nothing moves in month 1").to.equal(undefined);
        expect(lineOf(design, big, 2, "lifecycle transitions to Glacier Flexible")!.usd).to.be.closeTo(objects * p("s3.transitionToGlacier"), 1e-12);
        expect(lineOf(design, big, 5, "lifecycle transitions to Glacier Deep")!.usd).to.be.closeTo(objects * p("s3.transitionToDeepArchive"), 1e-12);
        // One detector's objects average ~58 KB: lifecycle leaves them in Standard, nothing to pay.
        const one = { ...usage, bytesPerSecondPerDetector: 329 };
        const tiny = flow(design, one);
        expect(tiny.rawStoredBytes / tiny.rawObjects).to.be.lessThan(128 * KB);
        expect(estimateMonth(design, one, 5).lines.filter((l) => l.item.startsWith("lifecycle"))).to.deep.equal([]);
        expect(lineOf(design, one, 5, "storage Standard")!.quantity).to.be.closeTo(4.5 * (tiny.rawStoredBytes + tiny.curatedStoredBytes) / GB, 1e-9);
    });

    it("moves findings to Standard-IA only (their own rule), at the IA transition price", () => {
        const design: Design = { ...bare, endpoint: { kind: "serverless", memoryMb: 2048 }, lifecycle: { ...noLifecycle, enabled: true, rawToGlacierDays: 1e9, rawToDeepArchiveDays: 1e9, curatedToInfrequentAccessDays: 1e9, curatedToGlacierDays: 1e9, findingsToInfrequentAccessDays: 30 } };
        const u = { ...usage, detectors: 2000, clients: 1 };
        const f = flow(design, u);
        expect(f.findingsBytes / f.findingsObjects).to.be.greaterThan(128 * KB);
        expect(lineOf(design, u, 2, "lifecycle transitions to Standard-IA")!.usd).to.be.closeTo(f.findingsObjects * p("s3.transitionToIa"), 1e-9);
        expect(lineOf(design, u, 2, "storage Standard-IA")!.usd).to.be.closeTo(f.findingsBytes / GB * p("s3.standardIaGbMonth"), 1e-9);
    });

    it("charges the month a cohort is written for half the month", () => {
        const u = { ...usage, detectors: 10 };
        const f = flow(bare, u);
        expect(lineOf(bare, u, 1, "storage Standard")!.usd).to.be.closeTo(0.5 * (f.rawStoredBytes + f.curatedStoredBytes) / GB * p("s3.standardGbMonth"), 1e-12);
        expect(lineOf(bare, u, 3, "storage Standard")!.usd).to.be.closeTo(2.5 * (f.rawStoredBytes + f.curatedStoredBytes) / GB * p("s3.standardGbMonth"), 1e-12);
    });

    it("bills provisioned shard-hours, 25 KB PUT payload units and per-producer KMS data-key calls", () => {
        const design: Design = { ...bare, stream: { mode: "PROVISIONED", shards: 3, encrypted: true } };
        const u = { ...usage, detectors: 40, bytesPerSecondPerDetector: 1023, readingsPerRecord: 30 };
        expect(usdOf(design, u, 1, "shard-hours")).to.be.closeTo(3 * HOURS_PER_MONTH * p("kinesis.shardHour"), 1e-9);
        // 30 KB records take two 25 KB units each.
        expect(lineOf(design, u, 1, "PUT payload units")!.usd).to.be.closeTo(40 * (SECONDS_PER_MONTH / 30) * 2 * p("kinesis.putPayloadUnit"), 1e-9);
        // One data key per credential every ~5 minutes: 40 detectors + the Firehose consumer, independent of shards.
        expect(lineOf(design, u, 1, "requests (stream data keys")!.usd).to.be.closeTo(41 * (SECONDS_PER_MONTH / 300) * p("kms.request"), 1e-9);
        expect(KMS_REQUESTS_PER_CREDENTIAL_MONTH).to.equal(8760);
        const unencrypted: Design = { ...design, stream: { ...design.stream!, encrypted: false } };
        expect(lineOf(unencrypted, u, 1, "requests (stream data keys")).to.equal(undefined);
    });

    it("counts one data-key call per put when a detector puts less often than the key lives (5 minutes)", () => {
        const design: Design = { ...bare, stream: { mode: "PROVISIONED", shards: 1, encrypted: true } };
        const calls = (readingsPerRecord: number) => lineOf(design, { ...usage, detectors: 10, bytesPerSecondPerDetector: 329, readingsPerRecord }, 1, "requests (stream data keys")!.quantity;
        // The Firehose consumer reads all the time: 8,760 calls whatever the detectors do.
        expect(calls(300), "a put every 5 minutes: the key's own rate").to.equal(11 * 8760);
        expect(calls(60), "more puts than keys: still one call per key").to.equal(11 * 8760);
        expect(calls(600), "a put every 10 minutes: one call per put").to.equal(10 * SECONDS_PER_MONTH / 600 + 8760);
        expect(calls(301), "just past the key's life: each put calls").to.be.below(11 * 8760);
        expect(kmsRequestsPerProducerMonth(0)).to.equal(0);
    });

    it("rounds each on-demand Kinesis record up to 1 KB, in and out, plus the stream-hour", () => {
        const design: Design = { ...bare, stream: { mode: "ON_DEMAND", shards: 0, encrypted: false } };
        const u = { ...usage, bytesPerSecondPerDetector: 1024, readingsPerRecord: 1 };
        const gb = SECONDS_PER_MONTH * 2 * KB / GB; // 1,025 B -> 2 KB
        expect(usdOf(design, u, 1, "on-demand data in")).to.be.closeTo(gb * p("kinesis.onDemandIngestGb"), 1e-9);
        expect(usdOf(design, u, 1, "on-demand data out")).to.be.closeTo(gb * p("kinesis.onDemandRetrievalGb"), 1e-9);
        expect(usdOf(design, u, 1, "on-demand stream-hours")).to.be.closeTo(HOURS_PER_MONTH * p("kinesis.onDemandStreamHour"), 1e-9);
    });

    it("doubles RDS instance-hours and storage for multi-AZ, and grows storage with the registry", () => {
        const single: Design = { ...bare, endpoint: { kind: "serverless", memoryMb: 1024 }, rds: { instanceClass: "db.t4g.micro", storageGb: 20, multiAz: false } };
        const multi: Design = { ...single, rds: { ...single.rds!, multiAz: true } };
        expect(usdOf(single, usage, 1, "db.t4g.micro")).to.be.closeTo(HOURS_PER_MONTH * p("rds.instanceHour.db.t4g.micro"), 1e-9);
        expect(usdOf(multi, usage, 1, "db.t4g.micro multi-AZ")).to.be.closeTo(2 * HOURS_PER_MONTH * p("rds.instanceHour.db.t4g.micro"), 1e-9);
        expect(usdOf(multi, usage, 1, "gp3 storage")).to.be.closeTo(2 * 20 * p("rds.gp3GbMonth"), 1e-9);
        const t3: Design = { ...single, rds: { ...single.rds!, instanceClass: "db.t3.micro" } };
        expect(usdOf(t3, usage, 1, "db.t3.micro")).to.be.closeTo(HOURS_PER_MONTH * p("rds.instanceHour.db.t3.micro"), 1e-9);
        // A registry that outgrows the allocation bills what it holds.
        const huge = { ...usage, detectors: 50_000, clients: 2000 };
        const f = flow(single, huge);
        const rows = f.findingsObjects * REGISTRY_BYTES_PER_ROW.finding + f.curatedObjects * REGISTRY_BYTES_PER_ROW.streamObject + 50_000 * DAYS_PER_MONTH * REGISTRY_BYTES_PER_ROW.detectorDay;
        expect(registryGrowthGb(f)).to.be.closeTo(rows / GB, 1e-9);
        expect(lineOf(single, huge, 12, "gp3 storage")!.quantity).to.equal(Math.max(20, Math.ceil(registryGb(f, 12))));
        expect(() => estimateMonth({ ...single, rds: { ...single.rds!, instanceClass: "db.x9.huge" } }, usage, 1)).to.throw(/add rds.instanceHour.db.x9.huge/);
    });

    it("bills an instance-backed endpoint for every hour, a serverless one per use and per GB", () => {
        const t2: Design = { ...bare, endpoint: { kind: "instance", instanceType: "ml.t2.medium", count: 1 } };
        expect(usdOf(t2, usage, 1, "ml.t2.medium")).to.be.closeTo(HOURS_PER_MONTH * p("sagemaker.instanceHour.ml.t2.medium"), 1e-9);
        const m5: Design = { ...bare, endpoint: { kind: "instance", instanceType: "ml.m5.large", count: 2 } };
        expect(usdOf(m5, usage, 1, "ml.m5.large")).to.be.closeTo(2 * HOURS_PER_MONTH * p("sagemaker.instanceHour.ml.m5.large"), 1e-9);
        const serverless: Design = { ...bare, endpoint: { kind: "serverless", memoryMb: 2048 } };
        const u = { ...usage, detectors: 10 };
        expect(usdOf(serverless, u, 1, "serverless data processed")).to.be.closeTo(10 * SECONDS_PER_MONTH * (MEASURED_FEATURE_BYTES_PER_ROW + 8) / GB * p("sagemaker.serverlessDataGb"), 1e-9);
        const compute = lineOf(serverless, u, 1, "serverless compute")!;
        expect(compute.usd).to.be.closeTo(compute.quantity * 2 * p("sagemaker.serverlessPerGbSecond"), 1e-12);
    });

    it("invokes the registry twice per curated object (not per detector), for device keys per transform batch, and prices Lambda at its GB-seconds", () => {
        const design: Design = { ...bare, endpoint: { kind: "serverless", memoryMb: 2048 }, lambdaMemoryMb: { registryAccess: 256, inference: 1024 } };
        const u = { ...usage, detectors: 1000 };
        const f = flow(design, u);
        expect(f.inferenceRegistryCalls).to.be.closeTo(2 * f.curatedObjects, 1e-9);
        expect(flow(design, { ...u, detectors: 12_000 }).inferenceRegistryCalls, "3 span calls + 2 writes of 10,000 detector days").to.be.closeTo(5 * flow(design, { ...u, detectors: 12_000 }).curatedObjects, 1e-6);
        // A put a second: a warm transform container refetches its keys about once per TTL.
        expect(f.deviceKeyLookups).to.be.closeTo(SECONDS_PER_MONTH / DEVICE_KEY_TTL_SECONDS, 1e-6).and.lessThan(f.transformInvocations);
        // A put every ten minutes outlives the TTL: every batch asks.
        const tenMinutes = flow(design, { ...u, readingsPerRecord: 600 });
        expect(tenMinutes.deviceKeyLookups).to.equal(tenMinutes.transformInvocations);
        const registry = lineOf(design, u, 1, "registry access")!;
        expect(registry.usd).to.be.closeTo((f.inferenceRegistryCalls + f.deviceKeyLookups) * (p("lambda.request") + 0.1 * 0.25 * p("lambda.arm64GbSecond")), 1e-12);
    });

    it("prices API, SNS, CloudTrail, CloudWatch, Secrets, keys, endpoints and NAT from their own rows", () => {
        const design: Design = {
            ...bare, kmsKeys: 2, alarms: 7, dashboards: 5, customMetrics: 3, secrets: 2, interfaceEndpointAzs: 4, natGateways: 1, findingsDataEvents: true,
        };
        const u = { ...usage, detectors: 10, clients: 3, apiCallsPerMonth: 200_000 };
        const f = flow(design, u);
        const oracle: [string, number][] = [
            ["HTTP API requests", 200_000 * p("apigateway.httpRequest")],
            ["alert e-mails", 3 * 30 * p("sns.email")],
            ["alert publishes", 3 * 30 * p("sns.publish")],
            ["customer managed keys", 2 * p("kms.keyMonth")],
            ["data events", 20_000 * p("cloudtrail.dataEvent")],
            ["alarms", 7 * p("cloudwatch.alarmMonth")],
            ["dashboards beyond the 3 free", 2 * p("cloudwatch.dashboardMonth")],
            ["custom metrics", 3 * p("cloudwatch.customMetricMonth")],
            ["secrets", 2 * p("secretsmanager.secretMonth")],
            ["interface endpoints", 4 * HOURS_PER_MONTH * p("vpc.interfaceEndpointAzHour")],
            ["NAT gateway hours", HOURS_PER_MONTH * p("vpc.natGatewayHour")],
            ["NAT gateway data processed", f.readings * (MEASURED_CSV_BYTES_PER_READING + 70) / GB * p("vpc.natGatewayGb")],
        ];
        for (const [item, usd] of oracle) expect(usdOf(design, u, 1, item), item).to.be.closeTo(usd, 1e-9);
        const logs = lineOf(design, u, 1, "log ingestion")!;
        expect(logs.usd).to.be.closeTo(logs.quantity * p("cloudwatch.logIngestGb"), 1e-12);
        expect(lineOf(design, u, 1, "requests (S3 bucket keys)")!.usd).to.be.closeTo((f.rawObjects + f.curatedObjects) * 0.01 * p("kms.request"), 1e-12);
    });

    it("marks every line with its price's region and sums the non-Sydney part", () => {
        const design: Design = { ...bare, stream: { mode: "PROVISIONED", shards: 1, encrypted: true }, endpoint: { kind: "serverless", memoryMb: 2048 }, lambdaMemoryMb: { inference: 1024 } };
        const m = estimateMonth(design, { ...usage, detectors: 10 }, 3);
        for (const l of m.lines) expect(l.region, l.item).to.match(/^(ap-southeast-2|us-east-1)(\+(ap-southeast-2|us-east-1))?$/);
        expect(m.unconfirmedUsd).to.be.closeTo(m.lines.filter((l) => l.region !== PRICES_TARGET_REGION).reduce((s, l) => s + l.usd, 0), 1e-12);
        expect(lineOf(design, { ...usage, detectors: 10 }, 3, "inference")!.region).to.equal(PRICES["lambda.request"].region);
    });

    it("never costs less with more detectors (any design, any profile)", () => {
        fc.assert(fc.property(
            fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 20_000 }),
            fc.integer({ min: 1, max: 120 }), fc.boolean(), fc.constantFrom("serverless", "instance"), fc.boolean(),
            (a, b, perRecord, lifecycle, endpointKind, gzip) => {
                const [small, big] = a <= b ? [a, b] : [b, a];
                const design = (n: number): Design => ({
                    ...bare,
                    stream: { mode: "PROVISIONED", shards: streamCapacity({ detectorCount: n, bytesPerSecondPerDetector: 329, readingsPerRecord: perRecord }).shards, encrypted: true },
                    endpoint: endpointKind === "serverless" ? { kind: "serverless", memoryMb: 2048 } : { kind: "instance", instanceType: "ml.t2.medium", count: 1 },
                    lambdaMemoryMb: { transform: 256, inference: 1024, registryAccess: 256 },
                    lifecycle: lifecycle ? { enabled: true, rawToGlacierDays: 30, rawToDeepArchiveDays: 180, curatedToInfrequentAccessDays: 30, curatedToGlacierDays: 365, findingsToInfrequentAccessDays: 30, expireDays: 0 } : noLifecycle,
                });
                const u = (n: number): Usage => ({ ...usage, detectors: n, bytesPerSecondPerDetector: 329, readingsPerRecord: perRecord, recordGzipRatio: gzip ? 0.102 : undefined });
                const lo = estimate(design(small), u(small), 12);
                const hi = estimate(design(big), u(big), 12);
                return lo.months.every((m, i) => m.totalUsd <= hi.months[i].totalUsd + 1e-9);
            }), { numRuns: 150 });
    });

    it("accumulates storage month by month and moves it down the classes", () => {
        const design: Design = { ...bare, endpoint: { kind: "serverless", memoryMb: 2048 }, lifecycle: { enabled: true, rawToGlacierDays: 30, rawToDeepArchiveDays: 180, curatedToInfrequentAccessDays: 30, curatedToGlacierDays: 365, findingsToInfrequentAccessDays: 30, expireDays: 0 } };
        const u = { ...usage, detectors: 1000 };
        const e = estimate(design, u, 12);
        for (let i = 1; i < 12; i++) expect(e.months[i].storedGb).to.be.greaterThan(e.months[i - 1].storedGb);
        const m12 = estimateMonth(design, u, 12).lines.map((l) => l.item);
        expect(m12).to.include.members(["storage Standard", "storage Glacier Flexible Retrieval", "storage Glacier Deep Archive", "storage Standard-IA"]);
        expect(() => estimate(design, usage, 0)).to.throw(/months/);
    });
});
