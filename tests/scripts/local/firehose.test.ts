import { expect } from "chai";
import { SimClock } from "../../../scripts/lib/local/clock";
import { expandPrefix, LocalFirehose, SourceRecord } from "../../../scripts/lib/local/firehose";
import { DeliveryStreamPlan } from "../../../scripts/lib/local/plan";
import { Principals } from "../../../scripts/lib/local/principals";
import { LocalS3 } from "../../../scripts/lib/local/s3";
import { allow, clientFor, objects, REGION, startS3 } from "./fixtures";

const BUCKET = "fh-test";
const PLAN: DeliveryStreamPlan = {
    name: "delivery", arn: `arn:aws:firehose:${REGION}:123456789012:deliverystream/delivery`,
    destination: {
        bucket: BUCKET, roleArn: "arn:aws:iam::123456789012:role/fh", prefix: "out/!{timestamp:yyyy}/!{timestamp:HH}/",
        errorOutputPrefix: "err/!{firehose:error-output-type}/!{timestamp:yyyy}/", bufferingSizeMiB: 1, bufferingIntervalSeconds: 60,
        compression: "GZIP", fileExtension: ".csv.gz",
    },
    processor: { functionArn: "arn:aws:lambda:ap-southeast-2:123456789012:function:t", bufferSizeMiB: 1, bufferIntervalSeconds: 10, retries: 3 },
    backup: {
        bucket: BUCKET, roleArn: "arn:aws:iam::123456789012:role/fh", prefix: "raw/", bufferingSizeMiB: 1, bufferingIntervalSeconds: 60, compression: "GZIP", fileExtension: ".gz",
    },
};

const rec = (id: string, text: string, arrival: number): SourceRecord => ({ recordId: id, data: Buffer.from(text), arrival });
const ok = (invokes: any[]) => async (event: any) => {
    invokes.push(event);
    return {
        ok: true, durationMs: 1, billedMs: 1,
        result: {
            records: event.records.map((r: any) => {
                const text = Buffer.from(r.data, "base64").toString();
                if (text.startsWith("drop")) return { recordId: r.recordId, result: "Dropped", data: "" };
                if (text.startsWith("bad")) return { recordId: r.recordId, result: "ProcessingFailed", data: "" };
                return { recordId: r.recordId, result: "Ok", data: Buffer.from(text.toUpperCase() + "\n").toString("base64") };
            }),
        },
    };
};

describe("local Firehose: buffering, processor contract, error output, backup", function () {
    const principals = new Principals();
    const role = principals.issue("firehose", "arn:aws:iam::123456789012:role/fh", allow(["s3:PutObject"], [`arn:aws:s3:::${BUCKET}/*`]));
    const reader = principals.issue("reader", "arn:aws:iam::123456789012:role/r", allow(["s3:GetObject", "s3:ListBucket"], [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`]));
    let s3: LocalS3;
    before(async () => { s3 = await startS3Fresh(); });
    after(async () => { await s3.stop(); });
    const startS3Fresh = () => startS3(BUCKET, principals);
    async function clear(): Promise<void> {
        await s3.stop();
        s3 = await startS3Fresh();
    }

    it("expands timestamp and error-output-type namespaces from the oldest record's arrival (UTC)", () => {
        const t = Date.UTC(2026, 2, 4, 5, 6, 7);
        expect(expandPrefix("a/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/", t)).to.equal("a/2026/03/04/05/");
        expect(expandPrefix("e/!{firehose:error-output-type}/", t, "processing-failed")).to.equal("e/processing-failed/");
        expect(() => expandPrefix("e/!{firehose:error-output-type}/", t)).to.throw(/error output/);
    });

    it("holds records until the processor interval, then delivers only when the S3 buffer interval passes", async () => {
        await clear();
        const clock = new SimClock();
        const invokes: any[] = [];
        const fh = new LocalFirehose(PLAN, clock, ok(invokes), { s3: s3.url }, role, REGION);
        fh.accept([rec("1", "a", clock.now()), rec("2", "b", clock.now())]);
        await fh.tick();
        expect(invokes).to.have.length(0);
        clock.advance(10);
        await fh.tick();
        expect(invokes).to.have.length(1);
        // The documented event: base64 data, recordId, arrival.
        expect(invokes[0].records.map((r: any) => [r.recordId, Buffer.from(r.data, "base64").toString(), typeof r.approximateArrivalTimestamp])).to.deep.equal([["1", "a", "number"], ["2", "b", "number"]]);
        expect(invokes[0].deliveryStreamArn).to.equal(PLAN.arn);
        expect(await objects(clientFor(s3.url, reader), BUCKET, "out/")).to.have.length(0);
        clock.advance(60);
        await fh.tick();
        const out = await objects(clientFor(s3.url, reader), BUCKET, "out/");
        expect(out.map((o) => o.body)).to.deep.equal(["A\nB\n"]);
        expect(out[0].key).to.match(/^out\/2026\/08\/delivery-1-2026-01-05-08-00-00-[0-9a-f-]{36}\.csv\.gz$/);
        // Source backup keeps the untransformed records.
        expect((await objects(clientFor(s3.url, reader), BUCKET, "raw/")).map((o) => o.body)).to.deep.equal(["ab"]);
        fh.stop();
    });

    it("flushes early when the size hint is reached", async () => {
        await clear();
        const clock = new SimClock();
        const fh = new LocalFirehose(PLAN, clock, ok([]), { s3: s3.url }, role, REGION);
        fh.accept([rec("big", "x".repeat(1024 * 1024), clock.now())]);
        await fh.tick();
        expect(await objects(clientFor(s3.url, reader), BUCKET, "out/")).to.have.length(1);
        fh.stop();
    });

    it("Dropped records vanish, ProcessingFailed records go to the error prefix with their raw data", async () => {
        await clear();
        const clock = new SimClock();
        const fh = new LocalFirehose(PLAN, clock, ok([]), { s3: s3.url }, role, REGION);
        fh.accept([rec("1", "good", clock.now()), rec("2", "drop me", clock.now()), rec("3", "bad one", clock.now())]);
        await fh.tick({ force: true });
        const errors = await objects(clientFor(s3.url, reader), BUCKET, "err/processing-failed/2026/");
        expect(errors).to.have.length(1);
        const line = JSON.parse(errors[0].body.trim());
        expect([Buffer.from(line.rawData, "base64").toString(), line.errorCode, line.attemptsMade]).to.deep.equal(["bad one", "Lambda.ProcessingFailed", 1]);
        expect(fh.metrics).to.include({ ok: 1, dropped: 1, processingFailed: 1 });
        expect((await objects(clientFor(s3.url, reader), BUCKET, "out/")).map((o) => o.body)).to.deep.equal(["GOOD\n"]);
        fh.stop();
    });

    it("retries a failed invocation NumberOfRetries times, then writes every record as processing-failed", async () => {
        await clear();
        const clock = new SimClock();
        let calls = 0;
        const fh = new LocalFirehose(PLAN, clock, async () => { calls++; return { ok: false, errorType: "Error", errorMessage: "boom", durationMs: 1, billedMs: 1 }; }, { s3: s3.url }, role, REGION);
        fh.accept([rec("1", "a", clock.now()), rec("2", "b", clock.now())]);
        await fh.tick({ force: true });
        expect(calls).to.equal(1 + PLAN.processor!.retries);
        const lines = (await objects(clientFor(s3.url, reader), BUCKET, "err/processing-failed/")).flatMap((o) => o.body.trim().split("\n")).map((l) => JSON.parse(l));
        expect(lines.map((l) => [Buffer.from(l.rawData, "base64").toString(), l.attemptsMade, l.errorMessage])).to.deep.equal([["a", 4, "Error: boom"], ["b", 4, "Error: boom"]]);
        fh.stop();
    });

    it("an answer that misses a recordId fails the whole batch (retried, then error output)", async () => {
        await clear();
        const clock = new SimClock();
        const fh = new LocalFirehose(PLAN, clock, async (event: any) => ({ ok: true, durationMs: 1, billedMs: 1, result: { records: [{ recordId: event.records[0].recordId, result: "Ok", data: "" }] } }), { s3: s3.url }, role, REGION);
        fh.accept([rec("1", "a", clock.now()), rec("2", "b", clock.now())]);
        await fh.tick({ force: true });
        expect(fh.metrics.processingFailed).to.equal(2);
        expect(fh.metrics.ok).to.equal(0);
        fh.stop();
    });

    it("keeps an object S3 refused and writes it on a later tick: nothing is lost", async () => {
        await clear();
        const clock = new SimClock();
        let refuse = 2;
        s3.hooks = { fault: () => (refuse-- > 0 ? 503 : undefined) };
        const fh = new LocalFirehose({ ...PLAN, backup: undefined }, clock, ok([]), { s3: s3.url }, role, REGION);
        fh.accept([rec("1", "a", clock.now())]);
        await fh.tick({ force: true });
        expect(fh.pending()).to.equal(1);
        const [why] = fh.unwrittenErrors();
        expect(why, "the waiting object's key and S3's answer").to.match(/^out\/\S+: \S+: /);
        await fh.tick();
        await fh.tick();
        expect(fh.pending()).to.equal(0);
        expect(fh.unwrittenErrors()).to.deep.equal([]);
        expect(fh.metrics.s3Failures).to.equal(2);
        expect((await objects(clientFor(s3.url, reader), BUCKET, "out/")).map((o) => o.body)).to.deep.equal(["A\n"]);
        s3.hooks = {};
        fh.stop();
    });
});
