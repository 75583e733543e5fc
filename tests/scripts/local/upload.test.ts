/**
 * A site file through the plan's client API and batch ingest: a staff user signs in (local
 * user pool), asks POST /v1/uploads for an upload URL (serialized api-upload function, its
 * role signing the URL), PUTs the file to the local S3 (signature, content type and checksum
 * verified), S3's Object Created event reaches the batch function through the plan's
 * EventBridge rule, and the file comes out as curated CSV and quarantine.
 */
import { expect } from "chai";
import { createHash } from "crypto";
import { S3Client } from "@aws-sdk/client-s3";
import { LocalCloud } from "../../../scripts/lib/local/cloud";
import { readPlan } from "../../../scripts/lib/local/plan";
import { program } from "../../helpers/program";
import { lakeReader, objects } from "./fixtures";

/** The site the uploads come from (set in before: its detector deployed there, in the local registry). */
let SITE: string;
const CLIENT = "5d3c1e2f-8a9b-4c7d-8e6f-0a1b2c3d4e5f";

function readings(n: number, bad: number[]): string {
    return Array.from({ length: n }, (_, seq) => {
        const r = {
            detector_id: "MD-0900", timestamp: `2026-01-05T08:00:${String(seq % 60).padStart(2, "0")}Z`, seq,
            muon_count: 160, coincidence_count: 12, live_time_s: 0.99, zenith_deg: bad.includes(seq) ? 120 : 10, azimuth_deg: 90,
            pressure_hpa: 1000, temperature_c: 20, humidity_pct: 50, sipm_bias_v: 30, battery_v: 12, latitude: -30, longitude: 120, depth_m: 300,
        };
        return JSON.stringify(r);
    }).join("\n") + "\n";
}

describe("local cloud: client API + batch ingest from the plan", function () {
    let cloud: LocalCloud;
    let reader: S3Client;
    let bucket: string;
    let staff: string;

    before(async () => {
        // The suite's cached mock run (tests/helpers/program.ts): one program run shared by every test file.
        cloud = new LocalCloud(readPlan(await program()));
        await cloud.start();
        // The batch path admits only detectors deployed at the uploading site during the reading's time.
        SITE = await cloud.registry.deploy(["MD-0900"], new Date("2026-01-01T00:00:00Z"));
        bucket = cloud.plan.buckets.find((b) => b.eventBridge)!.name;
        reader = lakeReader(cloud, bucket);
        staff = await cloud.users!.idToken({ groups: ["staff"] });
    });
    after(async () => { reader?.destroy(); await cloud?.stop(); });

    const post = (path: string, token: string | undefined, body: unknown) => fetch(`${cloud.api!.url}${path}`, {
        method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body),
    });

    it("the JWT authorizer answers 401 {\"message\":\"Unauthorized\"} without a valid token", async () => {
        const other = new (cloud.users!.constructor as any)(cloud.users!.issuer, cloud.users!.audience);
        await other.start();
        const cases = [
            undefined,
            "not-a-jwt",
            await cloud.users!.idToken({ groups: ["staff"] }, -10),
            await cloud.users!.idToken({ groups: ["staff"] }, 3600, Date.now(), { aud: "another-app-client" }),
            await cloud.users!.idToken({ groups: ["staff"] }, 3600, Date.now(), { iss: "https://issuer.example" }),
            await other.idToken({ groups: ["staff"] }),
        ];
        for (const token of cases) {
            const res = await post("/v1/uploads", token, {});
            expect([res.status, await res.json()], String(token).slice(0, 20)).to.deep.equal([401, { message: "Unauthorized" }]);
        }
    });

    it("an unknown route is 404 {\"message\":\"Not Found\"}", async () => {
        const res = await fetch(`${cloud.api!.url}/v1/nothing`);
        expect([res.status, await res.json()]).to.deep.equal([404, { message: "Not Found" }]);
    });

    it("a client user is refused the staff route by the function itself (403)", async () => {
        const token = await cloud.users!.idToken({ clientId: CLIENT });
        const res = await post("/v1/uploads", token, { siteId: SITE, filename: "a.ndjson", contentType: "application/x-ndjson", checksumSha256: "x" });
        expect(res.status).to.equal(403);
    });

    it("a file uploaded through the upload URL is converted: rows + quarantined = readings", async () => {
        const file = readings(200, [3, 77, 150]);
        const checksumSha256 = createHash("sha256").update(file).digest("base64");
        const res = await post("/v1/uploads", staff, { siteId: SITE, filename: "dump-01.ndjson", contentType: "application/x-ndjson", checksumSha256 });
        expect(res.status).to.equal(200);
        const upload = await res.json() as { url: string; method: string; headers: Record<string, string>; key: string };
        // The URL binds the declared checksum: another body is refused.
        const tampered = await fetch(upload.url, { method: "PUT", headers: upload.headers, body: file.replace("MD-0900", "MD-0901") });
        expect(tampered.status).to.equal(400);
        const put = await fetch(upload.url, { method: upload.method, headers: upload.headers, body: file });
        expect(put.status, await put.text()).to.equal(200);
        await cloud.drain();
        const curated = await objects(reader, bucket, `curated/batch/${SITE}/`);
        const quarantine = await objects(reader, bucket, `quarantine/batch/${SITE}/`);
        expect(curated).to.have.length(1);
        const rows = curated[0].body.split("\n").filter(Boolean).slice(1);
        const lines = quarantine.flatMap((o) => o.body.split("\n").filter(Boolean)).map((l) => JSON.parse(l));
        expect(rows.length + lines.length).to.equal(200);
        expect(lines.map((l) => l.kind)).to.deep.equal(["out-of-range", "out-of-range", "out-of-range"]);
        expect(cloud.queues.queues.every((q) => cloud.queues.visible(q.arn).length === 0), "nothing dead-lettered").to.equal(true);
    });

    it("a poison upload fails every attempt and ends in the function's dead-letter queue; replayed after the fix it converts", async () => {
        const batch = cloud.plan.rules.find((r) => JSON.stringify(r.eventPattern ?? {}).includes("incoming/"))!;
        const fn = cloud.plan.functions.find((f) => f.arn === batch.targets[0].arn)!;
        // An event for an object that is not there yet: the function fails on every attempt (AccessDenied:
        // its role has no s3:ListBucket, so S3 does not say NoSuchKey).
        const key = `incoming/${SITE}/late.ndjson`;
        cloud.events.put(cloud.events.event("aws.s3", "Object Created", [`arn:aws:s3:::${bucket}`], { bucket: { name: bucket }, object: { key, size: 10 }, reason: "PutObject" }));
        await cloud.step(1);
        await cloud.step(200);
        const dlq = cloud.queues.visible(fn.deadLetterArn!);
        expect(dlq).to.have.length(1);
        expect(dlq[0].attributes.ErrorMessage).to.match(/AccessDenied|Access Denied/);
        const attempts = cloud.lambda.asyncOutcomes.filter((o) => (o.event as any).detail?.object?.key === key);
        expect(attempts.map((a) => a.attempts)).to.deep.equal([1, 2, 3]);
        // The fix: the object arrives (as staff would re-upload it); the replay converts it.
        const file = readings(5, []);
        const up = await (await post("/v1/uploads", staff, { siteId: SITE, filename: "late.ndjson", contentType: "application/x-ndjson", checksumSha256: createHash("sha256").update(file).digest("base64") })).json() as any;
        // The upload raises its own event too: both runs write the same keys (the tag is content-addressed),
        // so replay plus a fresh delivery never double the output.
        const before = cloud.lambda.asyncOutcomes.length;
        expect((await fetch(up.url, { method: "PUT", headers: up.headers, body: file })).status).to.equal(200);
        for (const m of cloud.queues.drain(fn.deadLetterArn!)) cloud.lambda.invokeAsync(fn.arn, JSON.parse(m.body));
        await cloud.drain();
        const outcomes = cloud.lambda.asyncOutcomes.slice(before);
        expect(outcomes.every((o) => o.result.ok)).to.equal(true);
        expect(await objects(reader, bucket, `curated/batch/${SITE}/late`)).to.have.length(1);
    });
});
