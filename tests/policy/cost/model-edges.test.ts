/**
 * The model's remaining edges, each figure derived here from the documented rule or prices.json:
 * where lines come from (region), per-invocation durations, defaults for undeclared buffers and
 * batches, lifecycle classes at their exact days and expiry, and what an idle term leaves out.
 */
import { expect } from "chai";
import table from "../../../policy/lib/cost/prices.json";
import {
    Design, Lifecycle, GB, SECONDS_PER_MONTH, HOURS_PER_MONTH, chunkSeconds, cohorts, estimateMonth, flow, inferenceSeconds, regionOf, storageLines, transformSeconds,
} from "../../../policy/lib/cost/model";
import { MEASURED_CSV_BYTES_PER_READING, MEASURED_FEATURE_BYTES_PER_ROW } from "../../../policy/lib/cost/measured";
import { bare, noLifecycle, usage } from "./fixtures";

const MIB = 1024 ** 2;
const KB = 1024;
type Id = keyof typeof table.prices;
const p = (id: Id): number => table.prices[id].usd;
const ids = Object.keys(table.prices) as Id[];
const lc = (over: Partial<Lifecycle>): Lifecycle => ({ ...noLifecycle, enabled: true, rawToGlacierDays: Infinity, rawToDeepArchiveDays: Infinity, curatedToInfrequentAccessDays: Infinity, curatedToGlacierDays: Infinity, ...over });
/** Rows one 4 MB serverless request carries (the endpoint's payload limit over the measured feature row). */
const ROWS_PER_REQUEST = Math.floor(4e6 / MEASURED_FEATURE_BYTES_PER_ROW);
const classes = (design: Design, cohort: number, ages: number[]) => ages.map((a) => cohorts(design, flow(design, usage))[cohort].classOf(a));

describe("policy/lib/cost/model: edges", () => {
    it("names the region(s) a line's prices came from, sorted and +-joined, each once", () => {
        const sydney = ids.find((id) => table.prices[id].region === "ap-southeast-2")!;
        const virginia = ids.find((id) => table.prices[id].region === "us-east-1")!;
        expect(regionOf(virginia, sydney)).to.equal("ap-southeast-2+us-east-1");
        expect(regionOf(sydney, virginia, sydney)).to.equal("ap-southeast-2+us-east-1");
        expect(regionOf(sydney)).to.equal("ap-southeast-2");
    });

    it("times a transform invocation as base + 0.25 s per MiB it handles, and an endpoint chunk as 0.1 s + rows / 50,000", () => {
        expect(transformSeconds(10 * MIB, 4)).to.be.closeTo(0.1 + 0.25 * 10 / 4, 1e-12);
        expect(transformSeconds(2 * MIB, 0), "no invocation counts as one").to.be.closeTo(0.1 + 0.5, 1e-12);
        expect(chunkSeconds(50_000)).to.be.closeTo(1.1, 1e-12);
        expect(chunkSeconds(0)).to.be.closeTo(0.1, 1e-12);
    });

    it("takes Firehose's defaults when no buffer or batch is declared: 64 MiB / 900 s and a 3 MB transform batch", () => {
        const f = flow({}, usage);
        expect(f.rawObjects).to.be.closeTo(SECONDS_PER_MONTH / 900, 1e-9);
        expect(f.transformInvocations, "no Firehose, no transform").to.equal(0);
        // 10,000 detectors of 1,024 B a second: 3 MB batches fill long before a minute passes.
        const big = { ...usage, detectors: 10_000 };
        const sent = 10_000 * SECONDS_PER_MONTH * 1024;
        expect(flow({ firehose: { bufferMiB: 128, bufferSeconds: 900, compressed: true } }, big).transformInvocations).to.be.closeTo(sent / 3e6, 1e-6);
        expect(flow({ firehose: { bufferMiB: 128, bufferSeconds: 900, compressed: true, transformBatchMb: 1 } }, big).transformInvocations).to.be.closeTo(sent / 1e6, 1e-6);
        expect(flow({ firehose: { bufferMiB: 128, bufferSeconds: 900, compressed: true } }, usage).transformInvocations, "at least one a minute").to.be.closeTo(SECONDS_PER_MONTH / 60, 1e-9);
        expect(flow({}, big).rawObjects, "the default 64 MiB buffer").to.be.closeTo(sent / (64 * MIB), 1e-6);
    });

    it("stores what was sent when Firehose does not compress, and the compressed bytes otherwise", () => {
        const sent = SECONDS_PER_MONTH * 1024;
        expect(flow({ firehose: { bufferMiB: 64, bufferSeconds: 900, compressed: false } }, usage).rawStoredBytes).to.be.closeTo(sent, 1e-6);
        expect(flow({ firehose: { bufferMiB: 64, bufferSeconds: 900, compressed: true } }, usage).rawStoredBytes).to.be.closeTo(sent * 0.2, 1e-6);
        expect(flow({}, usage).rawStoredBytes, "no Firehose declared: compressed as usual").to.be.closeTo(sent * 0.2, 1e-6);
    });

    it("scores findings rows at 70 B compressed, and splits each object into 4 MB chunks of feature rows", () => {
        const withEndpoint = { ...bare, endpoint: { kind: "serverless" as const, memoryMb: 2048 } };
        const u = { ...usage, detectors: 10_000 };
        const f = flow(withEndpoint, u);
        expect(f.findingsBytes).to.be.closeTo(10_000 * SECONDS_PER_MONTH * 70 * 0.2, 1e-3);
        const rowsPerObject = f.readings / f.curatedObjects;
        // 64 MiB of 76-byte CSV rows is 883,011 rows: over one request's 102,564.
        expect(rowsPerObject).to.be.closeTo(64 * MIB / MEASURED_CSV_BYTES_PER_READING, 1e-6);
        expect(rowsPerObject).to.be.greaterThan(ROWS_PER_REQUEST);
        expect(ROWS_PER_REQUEST).to.equal(102_564);
        expect(f.endpointRequests).to.be.closeTo(f.curatedObjects * Math.ceil(rowsPerObject / ROWS_PER_REQUEST), 1e-6);
        expect(flow(bare, u).findingsBytes, "no endpoint, no findings").to.equal(0);
    });

    it("waits for chunks in waves of the endpoint's concurrency: 5 by default for serverless, 4 for instances", () => {
        const u = { ...usage, detectors: 100_000 };
        // 128 MiB buffers of 76-byte CSV rows: about 1.77 million rows, 18 chunks of 102,564, per object.
        const base: Design = { ...bare, firehose: { bufferMiB: 128, bufferSeconds: 900, compressed: true } };
        const at = (endpoint: Design["endpoint"]) => inferenceSeconds({ ...base, endpoint }, flow({ ...base, endpoint }, u));
        const f = flow({ ...base, endpoint: { kind: "serverless", memoryMb: 2048 } }, u);
        const chunks = Math.ceil(f.readings / f.curatedObjects / ROWS_PER_REQUEST);
        expect(chunks).to.equal(Math.ceil(128 * MIB / MEASURED_CSV_BYTES_PER_READING / ROWS_PER_REQUEST));
        expect(chunks, "enough chunks for several waves").to.be.greaterThan(10);
        const wave = chunkSeconds(ROWS_PER_REQUEST);
        const serverless5 = at({ kind: "serverless", memoryMb: 2048 });
        expect(at({ kind: "serverless", memoryMb: 2048, maxConcurrency: 5 })).to.equal(serverless5);
        expect(at({ kind: "serverless", memoryMb: 2048, maxConcurrency: 1 }) - serverless5).to.be.closeTo((chunks - Math.ceil(chunks / 5)) * wave, 1e-9);
        expect(at({ kind: "instance", instanceType: "ml.m5.large", count: 1 }) - serverless5).to.be.closeTo((Math.ceil(chunks / 4) - Math.ceil(chunks / 5)) * wave, 1e-9);
        expect(inferenceSeconds(bare, flow(bare, u)), "no endpoint, no inference time").to.equal(0);
    });

    it("moves curated/ to Standard-IA and Glacier, findings/ to Standard-IA, each on its exact day", () => {
        const d = { ...bare, lifecycle: lc({ curatedToInfrequentAccessDays: 30, curatedToGlacierDays: 90, findingsToInfrequentAccessDays: 45 }) };
        expect(classes(d, 1, [29.99, 30, 89.99, 90])).to.deep.equal(["standard", "standardIa", "standardIa", "glacier"]);
        expect(classes(d, 2, [44.99, 45])).to.deep.equal(["standard", "standardIa"]);
        expect(classes({ ...d, lifecycle: { ...d.lifecycle, findingsToInfrequentAccessDays: undefined } }, 2, [1000]), "findings never move without a rule").to.deep.equal(["standard"]);
        const off = { ...d, lifecycle: { ...d.lifecycle, enabled: false } };
        expect([0, 1, 2].map((c) => classes(off, c, [1000])[0]), "no lifecycle: everything stays").to.deep.equal(["standard", "standard", "standard"]);
    });

    it("expires raw/ and curated/ from exactly expireDays, and never with expireDays 0", () => {
        const d = { ...bare, lifecycle: lc({ rawToGlacierDays: 30, curatedToGlacierDays: 30, expireDays: 365 }) };
        expect(classes(d, 0, [364.99, 365])).to.deep.equal(["glacier", "expired"]);
        expect(classes(d, 1, [364.99, 365])).to.deep.equal(["glacier", "expired"]);
        const keep = { ...d, lifecycle: { ...d.lifecycle, expireDays: 0 } };
        expect(classes(keep, 0, [1e6])).to.deep.equal(["glacier"]);
        expect(classes(keep, 1, [1e6])).to.deep.equal(["glacier"]);
    });

    it("stores nothing of an expired cohort (small objects included) and nothing of an empty one", () => {
        const expiring = { bytes: 1000 * 512 * KB, objects: 1000, classOf: (age: number) => (age >= 40 ? "expired" as const : "standard" as const) };
        // Month 3: the month-1 cohort is 75 days old (expired), month 2 is 45 (expired), month 3 is 15 (half the month).
        const lines = storageLines(3, [expiring]).lines;
        expect(lines.map((l) => [l.item, l.quantity])).to.deep.equal([["storage Standard", 0.5 * expiring.bytes / GB]]);
        const small = { ...expiring, bytes: 1000 * KB };
        expect(storageLines(3, [small]).lines.map((l) => [l.item, l.quantity]), "under 128 KB an object still expires").to.deep.equal([["storage Standard", 0.5 * small.bytes / GB]]);
        expect(storageLines(3, [{ ...expiring, bytes: 0 }])).to.deep.equal({ lines: [], storedGb: 0 });
    });

    it("charges a lifecycle transition once per object, in the month the cohort crosses into the class", () => {
        const cohort = { bytes: 1000 * 512 * KB, objects: 1000, classOf: (age: number) => (age >= 60 ? "glacier" as const : "standard" as const) };
        const transitions = (month: number) => storageLines(month, [cohort]).lines.filter((l) => l.item.startsWith("lifecycle transitions"));
        // The month-1 cohort is 45.6 days old in month 2 and 76 in month 3: it moves during month 3.
        expect(transitions(2)).to.deep.equal([]);
        const [t] = transitions(3);
        expect(t).to.deep.include({ service: "S3", item: "lifecycle transitions to Glacier Flexible Retrieval", quantity: 1000, unit: "objects" });
        expect(t.usd).to.be.closeTo(1000 * p("s3.transitionToGlacier"), 1e-12);
        expect(transitions(4).map((l) => l.quantity), "the next cohort, one month later").to.deep.equal([1000]);
        // Written straight into a class (age 0 already there): no transition, and its overhead from the start.
        const direct = { ...cohort, classOf: () => "glacier" as const };
        expect(storageLines(1, [direct]).lines.map((l) => [l.service, l.item, l.unit])).to.deep.equal([
            ["S3", "storage Glacier Flexible Retrieval", "GB-month"],
            ["S3", "Glacier Flexible Retrieval per-object overhead (8 KB + 32 KB)", "objects"],
        ]);
        // Lifecycle at day 0 (the floor's design): the first cohort starts in the class, nothing transitions.
        const dayZero = { ...cohort, classOf: (age: number) => (age >= 0 ? "glacier" as const : "standard" as const) };
        expect(storageLines(1, [dayZero]).lines.map((l) => l.item)).to.not.include("lifecycle transitions to Glacier Flexible Retrieval");
        expect(storageLines(1, [{ ...cohort, classOf: () => "standardIa" as const }]).lines.map((l) => l.item), "Standard-IA has no per-object overhead").to.deep.equal(["storage Standard-IA"]);
    });

    it("lists every line of a full design with its service and unit, and leaves out idle terms", () => {
        const full: Design = {
            ...bare, stream: { mode: "PROVISIONED", shards: 2, encrypted: true }, endpoint: { kind: "serverless", memoryMb: 2048 },
            lambdaMemoryMb: { transform: 256, inference: 1024, registryAccess: 256, api: 256, scheduled: 128 }, scheduledRunsPerMonth: 8760,
            rds: { instanceClass: "db.t4g.micro", storageGb: 20, multiAz: false }, kmsKeys: 1, alarms: 5, dashboards: 4, customMetrics: 2, secrets: 1,
            interfaceEndpointAzs: 2, natGateways: 1, findingsDataEvents: true,
        };
        const u = { ...usage, detectors: 100, clients: 2, apiCallsPerMonth: 1000 };
        const rows = (d: Design, uu = u) => estimateMonth(d, uu, 1).lines.map((l) => [l.service, l.item, l.unit]);
        expect(rows(full)).to.deep.equal([
            ["Kinesis", "shard-hours", "shard-hours"],
            ["Kinesis", "PUT payload units (25 KB)", "units"],
            ["KMS", "requests (stream data keys, per producer credential)", "requests"],
            ["Firehose", "ingestion (records rounded up to 5 KB)", "GB billed"],
            ["S3", "storage Standard", "GB-month"],
            ["S3", "PUT requests raw/ + curated/ (Firehose)", "requests"],
            ["S3", "PUT requests findings/", "requests"],
            ["Lambda", "transform (Firehose)", "invocations"],
            ["Lambda", "inference", "invocations"],
            ["Lambda", "registry access (2 calls per curated object, device keys per transform batch)", "invocations"],
            ["Lambda", "client API", "invocations"],
            ["Lambda", "scheduled checks", "invocations"],
            ["SageMaker", "serverless compute 2048 MB", "seconds"],
            ["SageMaker", "serverless data processed (in + out)", "GB"],
            ["RDS", "db.t4g.micro", "instance-hours"],
            ["RDS", "gp3 storage", "GB-month"],
            ["API Gateway", "HTTP API requests", "requests"],
            ["SNS", "alert publishes", "publishes"],
            ["SNS", "alert e-mails", "e-mails"],
            ["KMS", "customer managed keys", "key-months"],
            ["KMS", "requests (S3 bucket keys)", "requests"],
            ["CloudTrail", "data events (finding downloads)", "events"],
            ["CloudWatch", "alarms", "alarm-months"],
            ["CloudWatch", "dashboards beyond the 3 free", "dashboard-months"],
            ["CloudWatch", "custom metrics", "metric-months"],
            ["CloudWatch", "log ingestion", "GB"],
            ["Secrets Manager", "secrets", "secret-months"],
            ["VPC", "interface endpoints", "endpoint-AZ-hours"],
            ["VPC", "NAT gateway hours", "hours"],
            ["VPC", "NAT gateway data processed", "GB"],
        ]);
        const est = estimateMonth(full, u, 1);
        const q = (item: string) => est.lines.find((l) => l.item === item)!.quantity;
        expect(q("shard-hours")).to.equal(2 * HOURS_PER_MONTH);
        expect(q("dashboards beyond the 3 free")).to.equal(1);
        expect(q("interface endpoints")).to.equal(2 * HOURS_PER_MONTH);
        expect(q("alert e-mails")).to.equal(2 * 30);
        expect(q("scheduled checks")).to.equal(8760);
        // A 900 s buffer's object every 900 s, two registry calls each; detectors put every second, so the
        // warm transform container refetches device keys once per 300 s key TTL, not once per batch.
        expect(q("registry access (2 calls per curated object, device keys per transform batch)")).to.be.closeTo(2 * SECONDS_PER_MONTH / 900 + SECONDS_PER_MONTH / 300, 1e-6);
        expect(q("serverless compute 2048 MB")).to.be.closeTo(100 * SECONDS_PER_MONTH / 50_000 + flow(full, u).endpointRequests * 0.1, 1e-6);
        const idle = rows({ ...full, lambdaMemoryMb: {}, dashboards: 3, natGateways: 0, findingsDataEvents: false, stream: { mode: "PROVISIONED", shards: 2, encrypted: false } }, { ...u, apiCallsPerMonth: 0 });
        for (const item of ["client API", "dashboards beyond the 3 free", "NAT gateway hours", "NAT gateway data processed", "data events (finding downloads)", "HTTP API requests", "requests (stream data keys, per producer credential)", "transform (Firehose)"]) {
            expect(idle.map((r) => r[1]), item).to.not.include(item);
        }
        expect(idle.filter((r) => r[0] === "Lambda")).to.deep.equal([]);
        const items = (d: Design, uu = u) => rows(d, uu).map((r) => r[1]);
        expect(items(full, { ...u, apiCallsPerMonth: 0 }), "a deployed function nothing invokes bills nothing").to.not.include("client API");
        expect(items({ ...full, findingsDataEvents: false }), "downloads without data events on findings/").to.not.include("data events (finding downloads)");
        for (const item of ["customer managed keys", "alarms", "custom metrics", "secrets", "interface endpoints"]) {
            expect(items({ ...full, kmsKeys: 0, alarms: 0, customMetrics: 0, secrets: 0, interfaceEndpointAzs: 0 }), item).to.not.include(item);
        }
        expect(estimateMonth(full, u, 1).lines.every((l) => l.quantity > 0), "no line of nothing").to.equal(true);
        expect(rows({ ...full, stream: { mode: "ON_DEMAND", shards: 0, encrypted: true } }).slice(0, 4)).to.deep.equal([
            ["Kinesis", "on-demand stream-hours", "hours"],
            ["Kinesis", "on-demand data in (records rounded up to 1 KB)", "GB"],
            ["Kinesis", "on-demand data out (Firehose)", "GB"],
            ["KMS", "requests (stream data keys, per producer credential)", "requests"],
        ]);
        expect(rows({ ...full, endpoint: { kind: "instance", instanceType: "ml.t2.medium", count: 2 } }).filter((r) => r[0] === "SageMaker")).to.deep.equal([["SageMaker", "ml.t2.medium always on", "instance-hours"]]);
        expect(estimateMonth({ ...full, endpoint: { kind: "instance", instanceType: "ml.t2.medium", count: 2 } }, u, 1).lines.find((l) => l.service === "SageMaker")!.usd).to.be.closeTo(2 * HOURS_PER_MONTH * p("sagemaker.instanceHour.ml.t2.medium"), 1e-9);
    });
});

describe("policy/lib/cost/model: without Firehose", () => {
    it("bills no Firehose ingestion and no Firehose PUTs", () => {
        const est = estimateMonth({ ...bare, firehose: undefined }, usage, 1);
        expect(est.lines.every((l) => typeof l.item === "string" && Number.isFinite(l.usd)), "only priced lines").to.equal(true);
        expect(est.totalUsd).to.be.greaterThan(0);
        const items = est.lines.map((l) => l.item);
        expect(items).to.not.include("ingestion (records rounded up to 5 KB)");
        expect(items).to.not.include("PUT requests raw/ + curated/ (Firehose)");
        expect(estimateMonth(bare, usage, 1).lines.map((l) => l.item)).to.include.members(["ingestion (records rounded up to 5 KB)", "PUT requests raw/ + curated/ (Firehose)"]);
    });
});

describe("policy/lib/cost/model: raw volumes", () => {
    it("counts every reading's newline in the raw bytes", () => {
        expect(flow({}, { ...usage, detectors: 3 }).rawBytes).to.equal(3 * SECONDS_PER_MONTH * 1024);
    });
});
