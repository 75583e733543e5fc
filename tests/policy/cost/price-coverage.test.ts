/**
 * Every price in prices.json is used (issue 19): the model charges it in at least one of the
 * designs the cost tests cover (doubling it changes the estimate), and at least one oracle test
 * pins a line to it (`p("<price id>")` in a test of tests/policy/cost).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import table from "../../../policy/lib/cost/prices.json";
import { Design, estimateMonth, total } from "../../../policy/lib/cost/model";
import { bare, noLifecycle, usage } from "./fixtures";

type PriceId = keyof typeof table.prices;
const IDS = Object.keys(table.prices) as PriceId[];

/** One design per knob, together touching every service the model prices. */
const lifecycle = { ...noLifecycle, enabled: true, rawToGlacierDays: 30, rawToDeepArchiveDays: 120, curatedToInfrequentAccessDays: 30, curatedToGlacierDays: 90, findingsToInfrequentAccessDays: 30 };
const lambdas = { transform: 256, inference: 1024, registryAccess: 256, api: 256, scheduled: 128 };
const DESIGNS: Design[] = [
    { ...bare, stream: { mode: "PROVISIONED", shards: 2, encrypted: true }, endpoint: { kind: "serverless", memoryMb: 2048 }, lambdaMemoryMb: lambdas, scheduledRunsPerMonth: 8760, lifecycle,
        rds: { instanceClass: "db.t4g.micro", storageGb: 20, multiAz: true }, kmsKeys: 1, alarms: 5, dashboards: 4, customMetrics: 2, secrets: 1, interfaceEndpointAzs: 2, natGateways: 1, findingsDataEvents: true },
    { ...bare, stream: { mode: "ON_DEMAND", shards: 0 }, endpoint: { kind: "instance", instanceType: "ml.t2.medium", count: 1 }, rds: { instanceClass: "db.t3.micro", storageGb: 20, multiAz: false } },
    { ...bare, endpoint: { kind: "instance", instanceType: "ml.m5.large", count: 1 } },
];
const USAGE = { ...usage, detectors: 1000, bytesPerSecondPerDetector: 329, readingsPerRecord: 60, clients: 5, apiCallsPerMonth: 100_000 };
const MONTHS = [1, 2, 3, 4, 5, 6];
const estimateSum = () => DESIGNS.reduce((sum, d) => sum + MONTHS.reduce((s, m) => s + total(estimateMonth(d, USAGE, m).lines), 0), 0);

describe("policy/lib/cost: every price in prices.json is charged by the model and pinned by an oracle", () => {
    it("doubling any one price raises the estimate of the covered designs", () => {
        const base = estimateSum();
        const unused: string[] = [];
        for (const id of IDS) {
            const entry = table.prices[id] as { usd: number };
            const usd = entry.usd;
            try {
                entry.usd = usd * 2;
                if (!(estimateSum() > base)) unused.push(id);
            } finally {
                entry.usd = usd;
            }
        }
        expect(unused, "prices no covered design charges").to.deep.equal([]);
        expect(estimateSum(), "prices restored").to.equal(base);
    });

    it("each price is an oracle's input in some cost test", () => {
        const dir = __dirname;
        const sources = fs.readdirSync(dir).filter((f) => f.endsWith(".test.ts")).map((f) => fs.readFileSync(path.join(dir, f), "utf8")).join("\n");
        expect(IDS.filter((id) => !sources.includes(`p("${id}")`)), "prices no test computes an expected figure from").to.deep.equal([]);
    });
});
