/**
 * The real-time path end to end, as the plan declares it and with the serialized transform:
 * detectors -> Kinesis (device role) -> Firehose (its role) -> transform Lambda (its role) ->
 * curated/ + raw/ + quarantine/. Every reading sent comes out exactly once, as a curated row
 * or a quarantined line with its reason.
 */
import { expect } from "chai";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { LocalCloud } from "../../../scripts/lib/local/cloud";
import { readPlan } from "../../../scripts/lib/local/plan";
import { program } from "../../helpers/program";
import { lakeReader, objects, realtimeOutcomes } from "./fixtures";

describe("local cloud: real-time ingest from the plan", function () {
    let cloud: LocalCloud;
    let reader: S3Client;
    let bucket: string;

    before(async function () {
        // The suite's cached mock run (tests/helpers/program.ts): one program run shared by every test file.
        cloud = new LocalCloud(readPlan(await program()));
        await cloud.start();
        bucket = cloud.plan.deliveryStreams[0].destination.bucket;
        reader = lakeReader(cloud, bucket);
        cloud.startFleet({ detectors: 4, batchSeconds: 10, badEvery: 11, silentDetector: 3, silentAfterSeconds: 60 });
        await cloud.step(150);
        await cloud.drain();
    });
    after(async () => { reader?.destroy(); await cloud?.stop(); });

    it("conserves every reading: sent = curated + quarantined (with the reason's kind), nothing twice", async () => {
        expect(await objects(reader, bucket, "quarantine/firehose-errors/"), "no processing failures in a healthy run").to.have.length(0);
        const seen = await realtimeOutcomes(reader, bucket);
        const sent = cloud.fleet!.sent;
        expect(sent.length).to.be.greaterThan(400);
        expect(sent.filter((r) => r.bad).length).to.be.greaterThan(20);
        for (const r of sent) {
            expect(seen.get(`${r.detector}#${r.seq}`), `${r.detector}#${r.seq}`).to.deep.equal([r.bad ? `quarantine:${r.bad}` : "curated"]);
        }
        expect(seen.size).to.equal(sent.length);
    });

    it("keeps the records as sent under the source backup prefix: each one's signature line, then its readings", async () => {
        const raw = await objects(reader, bucket, "raw/realtime/");
        const lines = raw.flatMap((o) => o.body.split("\n").filter(Boolean));
        // A detached JWS (schema/telemetry.md): header..signature, both base64url.
        const signature = (l: string) => /^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/.test(l);
        expect(lines.filter(signature).length).to.equal(cloud.fleet!.putCalls - cloud.fleet!.failedPuts);
        expect(lines.filter((l) => !signature(l)).length).to.equal(cloud.fleet!.sent.length);
    });

    it("writes curated objects GZIP-compressed under the plan's hourly prefix, named as Firehose names them", async () => {
        const list = await reader.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "curated/realtime/" }));
        const d = cloud.plan.deliveryStreams[0];
        for (const o of list.Contents ?? []) expect(o.Key).to.match(new RegExp(`^curated/realtime/\\d{4}/\\d{2}/\\d{2}/\\d{2}/${d.name}-1-\\d{4}(-\\d{2}){5}-[0-9a-f-]{36}\\.csv\\.gz$`));
    });

    it("the silent detector stopped sending after its minute", () => {
        const silent = cloud.fleet!.serials[3];
        const seqs = cloud.fleet!.sent.filter((r) => r.detector === silent).map((r) => r.seq);
        expect(Math.max(...seqs)).to.be.lessThan(61);
        expect(cloud.fleet!.sent.filter((r) => r.detector === cloud.fleet!.serials[0]).length).to.equal(150);
    });

    it("meters the run: Kinesis puts, Firehose billed bytes, transform invocations and GB-seconds, objects per prefix", () => {
        const meter = cloud.snapshotMeter();
        const transform = cloud.plan.deliveryStreams[0].processor!.functionArn;
        const fn = cloud.plan.functions.find((f) => f.arn === transform)!;
        expect(meter.calls["kinesis:PutRecords"]).to.equal(cloud.fleet!.putCalls);
        expect(meter.firehose.records).to.equal(cloud.fleet!.putCalls);
        expect(meter.firehose.billedBytes % 5120).to.equal(0);
        expect(meter.lambda[fn.logicalName].invocations).to.be.greaterThan(0);
        expect(meter.lambda[fn.logicalName].memoryMb).to.equal(fn.memoryMb);
        expect(meter.objects["curated/"].count).to.be.greaterThan(0);
        expect(meter.objects["quarantine/"].count).to.be.greaterThan(0);
        expect(meter.objects["raw/"].count).to.be.greaterThan(0);
    });
});
