/**
 * Design knobs at their exact billing boundaries, with oracles computed here from prices.json and
 * the documented rule (issue 19, "Cost model knobs"): on-demand Kinesis rounds each record up to
 * 1 KB, multi-AZ RDS pays a standby instance and a second copy of its storage, and the archive
 * classes add 8 KB of Standard and 32 KB of archive storage per object, only for objects lifecycle
 * moves (128 KB and up).
 */
import { expect } from "chai";
import table from "../../../policy/lib/cost/prices.json";
import { Design, GB, HOURS_PER_MONTH, SECONDS_PER_MONTH, cohorts, estimateMonth, flow, registryGb, storageLines, total } from "../../../policy/lib/cost/model";
import { bare, noLifecycle, usage } from "./fixtures";

const KB = 1024;
/** Straight from the JSON file: the oracle does not go through the model's price lookup. */
const p = (id: keyof typeof table.prices): number => table.prices[id].usd;
const lineOf = (design: Design, u = usage, month = 1, item = "") => estimateMonth(design, u, month).lines.find((l) => l.item.startsWith(item));

describe("policy/lib/cost: design knobs at their billing boundaries (oracles from prices.json)", () => {
    describe("on-demand Kinesis: each record rounded up to 1 KB", () => {
        const onDemand: Design = { ...bare, stream: { mode: "ON_DEMAND", shards: 0, encrypted: false } };
        const ingest = (bytesPerSecondPerDetector: number, readingsPerRecord = 1) =>
            lineOf(onDemand, { ...usage, bytesPerSecondPerDetector, readingsPerRecord }, 1, "on-demand data in")!.usd;
        const perRecordKb = (kb: number, readingsPerRecord = 1) => (SECONDS_PER_MONTH / readingsPerRecord) * kb * KB / GB * p("kinesis.onDemandIngestGb");

        it("a record of exactly 1,024 bytes (1,023 + newline) bills 1 KB; one byte more bills 2 KB", () => {
            expect(ingest(1023)).to.be.closeTo(perRecordKb(1), 1e-12);
            expect(ingest(1024)).to.be.closeTo(perRecordKb(2), 1e-12);
        });

        it("rounds per record, not the month's total: 100-byte records bill 1 KB each", () => {
            expect(ingest(99)).to.be.closeTo(perRecordKb(1), 1e-12);
            // Batched: 10 readings of 100 B = 1,000 B, still one unit per record.
            expect(ingest(99, 10)).to.be.closeTo(perRecordKb(1, 10), 1e-12);
            // 11 readings = 1,100 B: two units.
            expect(ingest(99, 11)).to.be.closeTo(perRecordKb(2, 11), 1e-12);
        });

        it("bills the same rounded bytes out to Firehose, and the stream-hour whatever the traffic", () => {
            const u = { ...usage, bytesPerSecondPerDetector: 1024 };
            expect(lineOf(onDemand, u, 1, "on-demand data out")!.usd).to.be.closeTo(SECONDS_PER_MONTH * 2 * KB / GB * p("kinesis.onDemandRetrievalGb"), 1e-12);
            for (const detectors of [1, 1000]) {
                expect(lineOf(onDemand, { ...u, detectors }, 1, "on-demand stream-hours")!.usd).to.be.closeTo(HOURS_PER_MONTH * p("kinesis.onDemandStreamHour"), 1e-12);
            }
        });
    });

    describe("multi-AZ RDS", () => {
        const single: Design = { ...bare, endpoint: { kind: "serverless", memoryMb: 1024 }, rds: { instanceClass: "db.t3.micro", storageGb: 20, multiAz: false } };
        const multi: Design = { ...single, rds: { ...single.rds!, multiAz: true } };

        it("adds exactly one standby instance and one copy of the storage, and nothing else", () => {
            const extra = total(estimateMonth(multi, usage, 1).lines) - total(estimateMonth(single, usage, 1).lines);
            expect(extra).to.be.closeTo(HOURS_PER_MONTH * p("rds.instanceHour.db.t3.micro") + 20 * p("rds.gp3GbMonth"), 1e-9);
            expect(lineOf(single, usage, 1, "db.t3.micro")!.item, "single-AZ says nothing of a standby").to.equal("db.t3.micro");
        });

        it("copies a registry that outgrew its allocation in both AZs, rounded up to whole GB", () => {
            const huge = { ...usage, detectors: 50_000, clients: 2000 };
            const gb = Math.ceil(registryGb(flow(single, huge), 12));
            expect(gb).to.be.greaterThan(20);
            expect(lineOf(single, huge, 12, "gp3 storage")!.usd).to.be.closeTo(gb * p("rds.gp3GbMonth"), 1e-9);
            expect(lineOf(multi, huge, 12, "gp3 storage")!.usd).to.be.closeTo(2 * gb * p("rds.gp3GbMonth"), 1e-9);
        });
    });

    describe("archive per-object overhead (8 KB Standard + 32 KB archive)", () => {
        const deepArchive: Design = { ...bare, lifecycle: { ...noLifecycle, enabled: true, rawToGlacierDays: 0, rawToDeepArchiveDays: 0, curatedToInfrequentAccessDays: 1e9, curatedToGlacierDays: 1e9 } };
        const perObject = 8 * KB / GB * p("s3.standardGbMonth") + 32 * KB / GB * p("s3.deepArchiveGbMonth");
        const raw = (objects: number, bytes: number) => ({ ...cohorts(deepArchive, flow(deepArchive, usage))[0], objects, bytes });
        const overhead = (objects: number, bytes: number, month = 2) =>
            storageLines(month, [raw(objects, bytes)]).lines.find((l) => l.item.startsWith("Glacier Deep Archive per-object overhead"));

        it("is charged per object, not per byte: twice the objects of the same bytes, twice the overhead", () => {
            expect(overhead(1000, 1000 * 512 * KB)!.usd).to.be.closeTo(1.5 * 1000 * perObject, 1e-12);
            expect(overhead(2000, 1000 * 512 * KB)!.usd).to.be.closeTo(1.5 * 2000 * perObject, 1e-12);
        });

        it("applies from exactly 128 KB a object; one byte less and the objects stay in Standard with no overhead", () => {
            expect(overhead(1000, 1000 * 128 * KB)!.quantity).to.equal(1.5 * 1000);
            expect(overhead(1000, 1000 * 128 * KB - 1)).to.equal(undefined);
            const standard = storageLines(2, [raw(1000, 1000 * 128 * KB - 1)]).lines;
            expect(standard.map((l) => l.item)).to.deep.equal(["storage Standard"]);
        });

        it("stores the bytes themselves at the class's own GB-month price (Glacier Flexible Retrieval, Deep Archive)", () => {
            const bytes = 1000 * 512 * KB;
            expect(storageLines(2, [raw(1000, bytes)]).lines.find((l) => l.item === "storage Glacier Deep Archive")!.usd).to.be.closeTo(1.5 * bytes / GB * p("s3.deepArchiveGbMonth"), 1e-12);
            const glacier: Design = { ...deepArchive, lifecycle: { ...deepArchive.lifecycle, rawToDeepArchiveDays: 1e9 } };
            const cohort = { ...cohorts(glacier, flow(glacier, usage))[0], objects: 1000, bytes };
            const lines = storageLines(2, [cohort]).lines;
            expect(lines.find((l) => l.item === "storage Glacier Flexible Retrieval")!.usd).to.be.closeTo(1.5 * bytes / GB * p("s3.glacierGbMonth"), 1e-12);
            expect(lines.find((l) => l.item.startsWith("Glacier Flexible Retrieval per-object overhead"))!.usd)
                .to.be.closeTo(1500 * (8 * KB / GB * p("s3.standardGbMonth") + 32 * KB / GB * p("s3.glacierGbMonth")), 1e-12);
        });

        it("moves raw/ into Deep Archive at exactly rawToDeepArchiveDays, Glacier before it", () => {
            const lc = { ...noLifecycle, enabled: true, rawToGlacierDays: 30, rawToDeepArchiveDays: 180, curatedToInfrequentAccessDays: 1e9, curatedToGlacierDays: 1e9 };
            const [rawCohort] = cohorts({ ...bare, lifecycle: lc }, flow(bare, usage));
            expect([29.999, 30, 179.999, 180].map((age) => rawCohort.classOf(age))).to.deep.equal(["standard", "glacier", "glacier", "deepArchive"]);
        });
    });
});
