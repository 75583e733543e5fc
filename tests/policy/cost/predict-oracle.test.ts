/**
 * One metered run predicted key by key, and a hand-made meter priced line by line, each figure
 * derived here from the workload and prices.json (calibration compares these with the local cloud).
 */
import { expect } from "chai";
import table from "../../../policy/lib/cost/prices.json";
import { Design } from "../../../policy/lib/cost/model";
import { MEASURED_CSV_BYTES_PER_READING, MEASURED_FEATURE_BYTES_PER_ROW } from "../../../policy/lib/cost/measured";
import { FUNCTION_NAMES, Workload, predictMeter, priceMeter } from "../../../policy/lib/cost/predict";
import { Meter } from "../../../policy/lib/cost/meter";
import { expectPricedLines, meteredDesign } from "./fixtures";

const GB = 1024 ** 3;
const MIB = 1024 ** 2;
const p = (id: keyof typeof table.prices): number => table.prices[id].usd;

/** Deep equality with numbers equal to 1e-9 relative. */
function approx(actual: unknown, expected: unknown, path = "meter"): void {
    if (typeof expected === "number") {
        expect(actual, path).to.be.a("number");
        expect(actual as number, path).to.be.closeTo(expected, 1e-9 * Math.max(1, Math.abs(expected)));
    } else if (expected && typeof expected === "object") {
        expect(Object.keys(actual as object).sort(), path).to.deep.equal(Object.keys(expected).sort());
        for (const [k, v] of Object.entries(expected)) approx((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    } else {
        expect(actual, path).to.equal(expected);
    }
}

// Buffers flush every 60 s (64 MiB never fills at 100 detectors): a 600 s run writes 10 objects per prefix.
const design: Design = meteredDesign(512);
const workload: Workload = { detectors: 100, simulatedSeconds: 600, readingsPerRecord: 60, bytesPerReading: 329, compressionRatio: 0.15, clients: 5, badReadingShare: 0.1 };

describe("policy/lib/cost/predict: a run's meter, derived by hand", () => {
    it("100 detectors for 600 s, 10% bad readings, every function deployed", () => {
        const readings = 60_000;
        const sent = 1000 * 60 * 330;
        const good = 0.9 * readings;
        // 10 curated objects, each of the 10 (client, project) pairs: 5 clients x 2 projects, each object's
        // minute spilling into the next hour 1/60 of the time. An expected count, so not whole.
        const findings = 10 * 10 * (1 + 60 / 3600);
        const transformSeconds = 0.1 + 0.25 * (sent / MIB) / 10;
        // Each curated object: 5,400 good rows (one request), their 76-byte CSV rows, 10.2 findings
        // objects (one wave of 16 PUTs), then two registry round trips.
        const rows = good / 10;
        const inferenceSeconds = 0.1 + 0.2 * rows * MEASURED_CSV_BYTES_PER_READING / MIB + (0.1 + rows / 50_000) + 0.05 + 2 * 0.05;
        approx(predictMeter(design, workload), {
            simulatedSeconds: 600, detectors: 100,
            calls: { "kinesis:PutRecord": 1000, "s3:PutObject": 10 + 10 + 10 + findings, "sagemaker:InvokeEndpoint": 10 },
            bytesIn: { kinesis: sent, sagemaker: good * MEASURED_FEATURE_BYTES_PER_ROW },
            bytesOut: {},
            objects: {
                "raw/": { count: 10, bytes: sent * 0.15 },
                "curated/": { count: 10, bytes: good * MEASURED_CSV_BYTES_PER_READING * 0.15 },
                "quarantine/": { count: 10, bytes: 0.1 * sent * 0.15 },
                "findings/": { count: findings, bytes: good * 70 * 0.15 },
            },
            lambda: {
                [FUNCTION_NAMES.transform]: { invocations: 10, billedMs: Math.ceil(10 * transformSeconds * 1000), memoryMb: 256 },
                [FUNCTION_NAMES.inference]: { invocations: 10, billedMs: Math.ceil(10 * inferenceSeconds * 1000), memoryMb: 1024 },
                // Two registry calls per curated object (owner spans, one batched write), and the transform's
                // device keys: detectors put every 60 s, inside the 300 s key TTL, so over 600 s the warm
                // container refetches twice, not once per batch (10).
                [FUNCTION_NAMES.registryAccess]: { invocations: 20 + 600 / 300, billedMs: 2200, memoryMb: 512 },
            },
            firehose: { records: 1000, bytes: sent, billedBytes: 1000 * 4 * 5120 },
            endpoint: { requests: 10, rows: good, bytes: good * MEASURED_FEATURE_BYTES_PER_ROW },
            registry: { queries: 50 },
        });
    });

    it("a request per 102,564 rows (4 MB of 39-byte feature rows) per object", () => {
        // 20,000 detectors for 60 s: 1,200,000 rows of 76 B are 1.36 buffers of 64 MiB, so 2 objects,
        // and each 600,000-row object needs 6 requests.
        const m = predictMeter(design, { ...workload, detectors: 20_000, simulatedSeconds: 60, badReadingShare: 0 });
        expect(1_200_000 * MEASURED_CSV_BYTES_PER_READING / (64 * MIB)).to.be.within(1, 2);
        expect(m.objects["curated/"].count).to.equal(2);
        expect(Math.floor(4_000_000 / MEASURED_FEATURE_BYTES_PER_ROW)).to.equal(102_564);
        expect(m.calls["sagemaker:InvokeEndpoint"]).to.equal(2 * Math.ceil(600_000 / 102_564));
    });

    it("without bad readings there is no quarantine object; with only bad ones curated/ holds no bytes", () => {
        expect(predictMeter(design, { ...workload, badReadingShare: 0 }).objects).to.not.have.property("quarantine/");
        const allBad = predictMeter(design, { ...workload, badReadingShare: 1 });
        expect(allBad.objects["curated/"].bytes).to.equal(0);
        expect(allBad.endpoint.rows).to.equal(0);
        expect(() => predictMeter(design, { ...workload, badReadingShare: -0.01 })).to.throw("badReadingShare must be in [0, 1]");
    });

    it("meters only what is deployed: no endpoint, no functions, no Firehose, no stream", () => {
        const noEndpoint = predictMeter({ ...design, endpoint: undefined }, workload);
        expect(Object.keys(noEndpoint.objects).sort()).to.deep.equal(["curated/", "quarantine/", "raw/"]);
        // Without inference the registry still serves the transform's device keys: one refetch per 300 s TTL.
        expect(Object.keys(noEndpoint.lambda).sort()).to.deep.equal([FUNCTION_NAMES.registryAccess, FUNCTION_NAMES.transform].sort());
        expect(noEndpoint.lambda[FUNCTION_NAMES.registryAccess].invocations).to.equal(600 / 300);
        expect(predictMeter({ ...design, endpoint: undefined, lambdaMemoryMb: { transform: 256 } }, workload).lambda, "no registry function deployed").to.have.keys(FUNCTION_NAMES.transform);
        expect(noEndpoint.calls).to.not.have.property("sagemaker:InvokeEndpoint");
        expect(noEndpoint.bytesIn).to.deep.equal({ kinesis: 1000 * 60 * 330 });
        expect(noEndpoint).to.deep.include({ endpoint: { requests: 0, rows: 0, bytes: 0 }, registry: { queries: 0 } });
        expect(predictMeter({ ...design, lambdaMemoryMb: {} }, workload).lambda).to.deep.equal({});
        const noFirehose = predictMeter({ ...design, firehose: undefined, stream: undefined }, workload);
        expect(noFirehose.firehose).to.deep.equal({ records: 0, bytes: 0, billedBytes: 0 });
        expect(noFirehose.objects["curated/"].count).to.equal(0);
        expect(noFirehose.lambda).to.not.have.property(FUNCTION_NAMES.transform);
        expect(Object.keys(noFirehose.bytesIn)).to.deep.equal(["firehose"]);
    });
});

describe("policy/lib/cost/predict: pricing a hand-made meter", () => {
    const meter: Meter = {
        simulatedSeconds: 600, detectors: 10,
        // 100 records of 30,000 B: 2 PUT payload units each.
        calls: { "kinesis:PutRecord": 100, "s3:PutObject": 7 },
        bytesIn: { kinesis: 100 * 30_000 }, bytesOut: {},
        objects: { "raw/": { count: 3, bytes: 2 * GB }, "curated/": { count: 4, bytes: 1 * GB } },
        lambda: { a: { invocations: 50, billedMs: 4000, memoryMb: 2048 }, b: { invocations: 0, billedMs: 0, memoryMb: 128 } },
        firehose: { records: 100, bytes: 3_000_000, billedBytes: 100 * 30_720 },
        endpoint: { requests: 2, rows: 1000, bytes: 0.5 * GB },
        registry: { queries: 10 },
    };

    it("prices each usage line from its own price and leaves out what the meter did not use", () => {
        const priced = priceMeter(meter);
        const expected = [
            ["Kinesis", "PUT payload units (25 KB)", 200, "units", 200 * p("kinesis.putPayloadUnit")],
            ["Firehose", "ingestion (billed bytes)", 100 * 30_720 / GB, "GB billed", 100 * 30_720 / GB * p("firehose.ingestGb")],
            ["S3", "PUT requests", 7, "requests", 7 * p("s3.putRequest")],
            ["S3", "bytes written (one month in Standard)", 3, "GB-month", 3 * p("s3.standardGbMonth")],
            ["Lambda", "a", 50, "invocations", 50 * p("lambda.request") + 4 * 2 * p("lambda.arm64GbSecond")],
            ["SageMaker", "serverless data processed (features in)", 0.5, "GB", 0.5 * p("sagemaker.serverlessDataGb")],
        ] as const;
        expectPricedLines(priced, expected, 1e-12);
    });

    it("bills at least one PUT unit a record, even with no payload bytes metered", () => {
        const units = priceMeter({ ...meter, bytesIn: {} }).lines.find((l) => l.service === "Kinesis")!;
        expect(units.quantity).to.equal(100);
        expect(priceMeter({ ...meter, calls: { "s3:PutObject": 7 } }).lines.some((l) => l.service === "Kinesis")).to.equal(false);
    });
});
