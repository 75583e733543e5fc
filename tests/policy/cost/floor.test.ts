import { expect } from "chai";
import { MEASURED_FEATURE_BYTES_PER_ROW } from "../../../policy/lib/cost/measured";
import * as fs from "fs";
import * as path from "path";
import { floorMonth } from "../../../policy/lib/cost/floor";
import { GB, HOURS_PER_MONTH, SECONDS_PER_MONTH, flow } from "../../../policy/lib/cost/model";
import { PRICES, PriceId } from "../../../policy/lib/cost/prices";
import { bare, usage } from "./fixtures";

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

describe("policy/lib/cost: every price in prices.json is checked by some test (issue 19)", () => {
    it("names each price key in a cost test", () => {
        const dirs = [path.join(__dirname), path.join(__dirname, "..", "..", "scripts", "cost")];
        const text = dirs.flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith(".test.ts")).map((f) => fs.readFileSync(path.join(d, f), "utf8"))).join("\n");
        const unused = Object.keys(PRICES).filter((k) => !text.includes(`"${k}"`));
        expect(unused, "price keys no test uses").to.deep.equal([]);
    });
});
