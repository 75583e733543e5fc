/**
 * Faults in the plan-driven local cloud, each with nothing lost and the documented outcome:
 * S3 answering 5xx in bursts, the transform crashing mid-batch, EventBridge delivering an
 * upload's event twice.
 */
import { expect } from "chai";
import { createHash } from "crypto";
import { S3Client } from "@aws-sdk/client-s3";
import { LocalCloud } from "../../../scripts/lib/local/cloud";
import { readPlan } from "../../../scripts/lib/local/plan";
import { program } from "../../helpers/program";
import { lakeReader, objects, realtimeOutcomes } from "./fixtures";

/** The site the uploads come from (set in before: its detector deployed there, in the local registry). */
let SITE: string;

describe("local cloud: faults", function () {
    let cloud: LocalCloud;
    let reader: S3Client;
    let bucket: string;

    before(async () => {
        // The suite's cached mock run (tests/helpers/program.ts): one program run shared by every test file.
        cloud = new LocalCloud(readPlan(await program()));
        await cloud.start();
        // The batch path admits only detectors deployed at the uploading site during the reading's time.
        SITE = await cloud.registry.deploy(["MD-0950"], new Date("2026-01-01T00:00:00Z"));
        bucket = cloud.plan.buckets.find((b) => b.eventBridge)!.name;
        reader = lakeReader(cloud, bucket);
    });
    after(async () => { reader?.destroy(); await cloud?.stop(); });

    it("S3 5xx bursts and a transform crashing mid-batch lose no reading and double none", async () => {
        const transform = cloud.lambda.runner(cloud.plan.deliveryStreams[0].processor!.functionArn);
        let second = 0;
        // Every PutObject fails for 20 s out of each minute (the transform's quarantine writes and Firehose's deliveries).
        cloud.faults.s3 = (op) => (op.operation === "PutObject" && second % 60 < 20 ? 503 : undefined);
        cloud.startFleet({ detectors: 3, batchSeconds: 10, badEvery: 7, firstSerial: 100 });
        for (let i = 0; i < 150; i++) {
            second = i;
            if (i === 70) transform.crashNext = 1;
            await cloud.step(1);
        }
        cloud.faults.s3 = undefined;
        await cloud.drain();
        const fh = cloud.firehoses[0].metrics;
        expect(fh.s3Failures, "the bursts did hit deliveries").to.be.greaterThan(0);
        expect(fh.failedInvocations, "the crash (and quarantine write failures) failed invocations").to.be.greaterThan(0);
        const seen = await realtimeOutcomes(reader, bucket);
        for (const r of cloud.fleet!.sent) {
            const where = seen.get(`${r.detector}#${r.seq}`) ?? [];
            // Exactly once, where the contract puts it; a batch that failed every retry during a burst is
            // kept whole under Firehose's processing-failed error output (documented), never dropped.
            expect(where, `${r.detector}#${r.seq}`).to.have.length(1);
            expect([r.bad ? `quarantine:${r.bad}` : "curated", "processing-failed"], `${r.detector}#${r.seq}`).to.include(where[0]);
        }
    });

    it("a duplicated EventBridge delivery converts the upload twice into the same objects: rows are not doubled", async () => {
        cloud.events.hooks = { duplicate: () => true };
        const file = Array.from({ length: 20 }, (_, seq) => JSON.stringify({
            detector_id: "MD-0950", timestamp: "2026-01-05T09:00:00Z", seq, muon_count: 1, coincidence_count: 1, live_time_s: 1, zenith_deg: 0, azimuth_deg: 0,
            pressure_hpa: 1000, temperature_c: 20, humidity_pct: 50, sipm_bias_v: 30, battery_v: 12, latitude: 0, longitude: 0, depth_m: 0,
        })).join("\n");
        const staff = await cloud.users!.idToken({ groups: ["staff"] });
        const res = await fetch(`${cloud.api!.url}/v1/uploads`, {
            method: "POST", headers: { authorization: `Bearer ${staff}`, "content-type": "application/json" },
            body: JSON.stringify({ siteId: SITE, filename: "twice.ndjson", contentType: "application/x-ndjson", checksumSha256: createHash("sha256").update(file).digest("base64") }),
        });
        const up = await res.json() as any;
        const before = cloud.lambda.asyncOutcomes.length;
        expect((await fetch(up.url, { method: "PUT", headers: up.headers, body: file })).status).to.equal(200);
        await cloud.drain();
        cloud.events.hooks = {};
        const runs = cloud.lambda.asyncOutcomes.slice(before);
        expect(runs.filter((o) => o.result.ok)).to.have.length(2);
        const curated = await objects(reader, bucket, `curated/batch/${SITE}/`);
        expect(curated).to.have.length(1);
        expect(curated[0].body.split("\n").filter(Boolean)).to.have.length(21);
    });
});
