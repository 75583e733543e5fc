import { expect } from "chai";
import { MEASURED_FEATURE_BYTES_PER_ROW } from "../../../policy/lib/cost/measured";
import * as fs from "fs";
import * as path from "path";
import { floorMonth } from "../../../policy/lib/cost/floor";
import { GB, HOURS_PER_MONTH, SECONDS_PER_MONTH, flow } from "../../../policy/lib/cost/model";
import { PRICES, PriceId } from "../../../policy/lib/cost/prices";
import { bare, expectPricedLines, usage } from "./fixtures";

const p = (id: PriceId) => PRICES[id].usd;

describe("policy/lib/cost: the floor for the job", () => {
    const u = { ...usage, detectors: 1000, bytesPerSecondPerDetector: 329, readingsPerRecord: 60, compressionRatio: 0.15, recordGzipRatio: 0.102 };

    it("keeps every month's compressed telemetry in Deep Archive, the current month half there", () => {
        const f = floorMonth(u, 12, false);
        const sent = (1000 * SECONDS_PER_MONTH / 60) * Math.ceil(60 * 330 * 0.102);
        const da = f.lines.find((l) => l.item.startsWith("compressed telemetry"))!;
        expect(da.quantity).to.be.closeTo(11.5 * sent / GB, 1e-6);
        expect(da.usd).to.be.closeTo(11.5 * sent / GB * p("s3.deepArchiveGbMonth"), 1e-9);
        expect(f.lines.find((l) => l.item.startsWith("Direct PUT"))!.usd).to.be.closeTo((1000 * SECONDS_PER_MONTH / 60) * 5120 / GB * p("firehose.ingestGb"), 1e-9);
    });

    it("charges the cheapest registry in the table and scoring only when inference is on", () => {
        const off = floorMonth(u, 1, false);
        const on = floorMonth(u, 1, true);
        const rds = off.lines.find((l) => l.service === "RDS" && l.unit === "instance-hours")!;
        const cheapest = Math.min(...(Object.keys(PRICES) as PriceId[]).filter((k) => k.startsWith("rds.instanceHour.")).map(p));
        expect(rds.usd).to.be.closeTo(HOURS_PER_MONTH * cheapest, 1e-9);
        expect(off.lines.some((l) => l.service === "SageMaker")).to.equal(false);
        expect(on.totalUsd - off.totalUsd).to.be.closeTo(1000 * SECONDS_PER_MONTH * (p("sagemaker.serverlessPerGbSecond") / 50_000 + MEASURED_FEATURE_BYTES_PER_ROW * p("sagemaker.serverlessDataGb") / GB), 1e-6);
        expect(flow(bare, u).readings).to.equal(1000 * SECONDS_PER_MONTH);
    });
});

describe("policy/lib/cost: the floor's lines, each priced from prices.json", () => {
    const u = { ...usage, detectors: 1000, bytesPerSecondPerDetector: 329, readingsPerRecord: 60, compressionRatio: 0.15, recordGzipRatio: 0.102 };
    const MIB = 1024 ** 2;
    const records = 1000 * SECONDS_PER_MONTH / 60;
    const sent = records * Math.ceil(60 * 330 * 0.102);
    // The largest buffer, 128 MiB or 900 s, whichever fills first.
    const objectsPerMonth = Math.max(SECONDS_PER_MONTH / 900, sent / (128 * MIB));
    const cheapest = () => (Object.keys(PRICES) as PriceId[]).filter((k) => k.startsWith("rds.instanceHour.")).sort((a, b) => p(a) - p(b))[0];

    it("lists storage, archive overhead, PUTs, ingestion and the minimum registry in month 3, and scoring when inference is on", () => {
        const f = floorMonth(u, 3, true);
        const perObject = 8 * 1024 / GB * p("s3.standardGbMonth") + 32 * 1024 / GB * p("s3.deepArchiveGbMonth");
        const billedGb = records * 5120 / GB;
        const rows = 1000 * SECONDS_PER_MONTH;
        const expected = [
            ["S3", "compressed telemetry in Glacier Deep Archive", 2.5 * sent / GB, "GB-month", 2.5 * sent / GB * p("s3.deepArchiveGbMonth")],
            ["S3", "Deep Archive per-object overhead (8 KB + 32 KB)", 2.5 * objectsPerMonth, "objects", 2.5 * objectsPerMonth * perObject],
            ["S3", "PUT requests (archive objects)", objectsPerMonth, "requests", objectsPerMonth * p("s3.putRequest")],
            ["Firehose", "Direct PUT ingestion (records rounded up to 5 KB)", billedGb, "GB billed", billedGb * p("firehose.ingestGb")],
            ["RDS", `${cheapest().replace("rds.instanceHour.", "")} single-AZ`, HOURS_PER_MONTH, "instance-hours", HOURS_PER_MONTH * p(cheapest())],
            ["RDS", "gp3 storage (minimum)", 20, "GB-month", 20 * p("rds.gp3GbMonth")],
            ["SageMaker", "serverless scoring at 1 GB (compute)", rows / 50_000, "seconds", rows / 50_000 * p("sagemaker.serverlessPerGbSecond")],
            ["SageMaker", "serverless data processed (features in)", rows * MEASURED_FEATURE_BYTES_PER_ROW / GB, "GB", rows * MEASURED_FEATURE_BYTES_PER_ROW / GB * p("sagemaker.serverlessDataGb")],
        ] as const;
        expectPricedLines(f, expected, 1e-9);
        expect(f.month).to.equal(3);
    });

    it("at 100,000 detectors the 128 MiB buffer fills before 900 s: one archive object per 128 MiB", () => {
        const big = { ...u, detectors: 100_000 };
        const bytes = 100 * sent;
        expect(bytes / (128 * MIB), "the buffer size decides").to.be.greaterThan(SECONDS_PER_MONTH / 900);
        const put = floorMonth(big, 1, false).lines.find((l) => l.item === "PUT requests (archive objects)")!;
        expect(put.quantity).to.be.closeTo(bytes / (128 * MIB), 1e-6);
    });

    it("charges the cheapest RDS class of the table, wherever it is listed", () => {
        const ids = (Object.keys(PRICES) as PriceId[]).filter((k) => k.startsWith("rds.instanceHour."));
        expect(ids.length, "the table lists several classes").to.be.greaterThan(1);
        for (const id of ids) {
            const saved = ids.map((k) => PRICES[k].usd);
            try {
                // Make `id` the cheapest by far, and every other class dearer than it.
                ids.forEach((k, i) => { (PRICES[k] as { usd: number }).usd = k === id ? 0.001 : 1 + i; });
                const rds = floorMonth(u, 1, false).lines.find((l) => l.service === "RDS" && l.unit === "instance-hours")!;
                expect(rds.item, id).to.equal(`${id.replace("rds.instanceHour.", "")} single-AZ`);
                expect(rds.usd, id).to.be.closeTo(HOURS_PER_MONTH * 0.001, 1e-12);
            } finally {
                ids.forEach((k, i) => { (PRICES[k] as { usd: number }).usd = saved[i]; });
            }
        }
    });
});

describe("policy/lib/cost: every price in prices.json is checked by some test (issue 19)", () => {
    it("names each price key in a cost test", () => {
        const dirs = [path.join(__dirname), path.join(__dirname, "..", "..", "scripts", "cost")];
        const text = dirs.flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith(".test.ts")).map((f) => fs.readFileSync(path.join(d, f), "utf8"))).join("\n");
        const unused = Object.keys(PRICES).filter((k) => !text.includes(`"${k}"`));
        expect(unused, "price keys no test uses").to.deep.equal([]);
    });
});
