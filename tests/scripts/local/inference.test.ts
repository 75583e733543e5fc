/**
 * Inference in the plan-driven local cloud: the plan with a model (localRunConfig: the trained
 * example model where scikit-learn 1.2 exists, else the stand-in), the serialized inference
 * function scoring every curated object through the SageMaker runtime front, asking the
 * registry-access function who owned each reading, writing findings per client/project/hour
 * and alerting through SNS into the mailbox.
 */
import { expect } from "chai";
import { createHash } from "crypto";
import { gunzipSync } from "zlib";
import { S3Client } from "@aws-sdk/client-s3";
import { LocalCloud } from "../../../scripts/lib/local/cloud";
import { LocalOwner } from "../../../scripts/lib/local/registry";
import { findingRows, inferenceFunction, inferencePlan, objects, realtimeOutcomes, startInferenceCloud } from "./fixtures";

describe("local cloud: inference, findings and client alerts", function () {
    let cloud: LocalCloud;
    let reader: S3Client;
    let bucket: string;
    let owners: LocalOwner[];

    before(async function () {
        // Training the example model and the mock run with it take minutes on a loaded machine.
        this.timeout(600_000);
        ({ cloud, bucket, reader } = await startInferenceCloud());
        owners = await cloud.registry.owners();
    });
    after(async () => { reader?.destroy(); await cloud?.stop(); });

    const inferenceRuns = () => {
        const fn = inferenceFunction(cloud);
        return cloud.lambda.asyncOutcomes.filter((o) => o.fn.arn === fn.arn);
    };

    it("scores every curated object; each reading's finding lands under the client and project that owned its detector then", async () => {
        cloud.startFleet({ detectors: 3, batchSeconds: 10, badEvery: 9, firstSerial: 200 });
        await cloud.step(0);
        // Staff move MD-0201 to the second client one minute in: later readings are that client's.
        const movedAt = cloud.clock.now() + 60_000;
        await cloud.registry.transfer("MD-0201", new Date(movedAt), owners[1]);
        await cloud.step(150);
        await cloud.drain();

        const curated = await objects(reader, bucket, "curated/realtime/");
        expect(curated.length, "curated objects").to.be.greaterThan(0);
        const scored = inferenceRuns().filter((o) => o.result.ok).map((o) => (o.result.result as { sourceKey: string }).sourceKey);
        expect([...new Set(scored)].sort()).to.deep.equal(curated.map((o) => o.key).sort());

        const rows = await findingRows(reader, bucket);
        const outcomes = await realtimeOutcomes(reader, bucket);
        const curatedIds = [...outcomes].filter(([, where]) => where.includes("curated")).map(([id]) => id).sort();
        expect(rows.map((r) => r.id).sort(), "every curated reading has exactly one finding row").to.deep.equal(curatedIds);
        for (const r of rows) {
            const owner = r.detector === "MD-0201" && Date.parse(r.timestamp) >= movedAt ? owners[1] : owners[0];
            expect([r.clientId, r.projectId], r.id).to.deep.equal([owner.clientId, owner.projectId]);
        }
        expect(rows.some((r) => r.clientId === owners[1].clientId), "the move is visible").to.equal(true);
        expect(cloud.meter.snapshot(0, 0).endpoint.rows).to.equal(rows.length);
    });

    it("each client downloads its findings through the API and their presigned URLs, the rows stored for it; another client gets the 404 of a missing id", async () => {
        // The findings of the first test (the fleet and the move between clients).
        const rows = await findingRows(reader, bucket);
        const get = async (path: string, token: string) => {
            const res = await fetch(`${cloud.api!.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
            return { status: res.status, body: await res.text() };
        };
        const tokens = await Promise.all(owners.slice(0, 2).map((o) => cloud.users!.idToken({ clientId: o.clientId })));
        const downloaded: typeof rows[number]["id"][][] = [];
        for (const [i, owner] of owners.slice(0, 2).entries()) {
            const list = await get("/v1/findings?limit=100", tokens[i]);
            expect(list.status).to.equal(200);
            const items = JSON.parse(list.body).items as { id: string }[];
            const ids: string[] = [];
            for (const item of items) {
                const link = await get(`/v1/findings/${item.id}/download`, tokens[i]);
                expect(link.status, link.body).to.equal(200);
                const file = await fetch(JSON.parse(link.body).url);
                expect(file.status, "the presigned URL, verified by the local S3").to.equal(200);
                expect(file.headers.get("content-disposition"), "S3 applies the signed response-content-disposition").to.equal(`attachment; filename="${JSON.parse(link.body).filename}"`);
                const csv = gunzipSync(Buffer.from(await file.arrayBuffer())).toString("utf8").split("\n").filter(Boolean);
                ids.push(...csv.slice(1).map((line) => { const [detector, , seq] = line.split(","); return `${detector}#${seq}`; }));
            }
            expect(ids.sort(), `${owner.clientId}: downloaded = stored`).to.deep.equal(rows.filter((r) => r.clientId === owner.clientId).map((r) => r.id).sort());
            downloaded.push(ids);
        }
        expect(downloaded.every((ids) => ids.length > 0), "both clients have findings").to.equal(true);
        const [ofFirst] = JSON.parse((await get("/v1/findings?limit=1", tokens[0])).body).items as { id: string }[];
        const missing = await get("/v1/findings/00000000-0000-4000-8000-000000000000/download", tokens[1]);
        expect(missing.status).to.equal(404);
        expect(await get(`/v1/findings/${ofFirst.id}/download`, tokens[1])).to.deep.equal(missing);
        expect(await get(`/v1/findings/${ofFirst.id}`, tokens[1])).to.deep.equal(await get("/v1/findings/00000000-0000-4000-8000-000000000000", tokens[1]));
    });

    it("a file uploaded through the API's upload URL is converted and scored; its alert reaches only the subscribed client", async () => {
        // Two sites: one of the first client (subscribed), one of the third (no subscription).
        const since = new Date(cloud.clock.now() - 86_400_000);
        const subscribedSite = await cloud.registry.deploy(["MD-0290"], since, {}, owners[0]);
        const unsubscribedSite = await cloud.registry.deploy(["MD-0291"], since, {}, owners[2]);
        const staff = await cloud.users!.idToken({ groups: ["staff"] });
        const mailBefore = Object.fromEntries(owners.filter((o) => o.email).map((o) => [o.email!, cloud.sns.mailbox.inbox(o.email!).length]));
        for (const [site, serial] of [[subscribedSite, "MD-0290"], [unsubscribedSite, "MD-0291"]]) {
            // A coincidence burst (schema/model-contract.md: the model scores it far above the threshold) among normal readings.
            const file = Array.from({ length: 30 }, (_, seq) => JSON.stringify({
                detector_id: serial, timestamp: new Date(since.getTime() + 3600_000 + seq * 1000).toISOString(), seq,
                muon_count: 52, coincidence_count: seq === 7 ? 48 : 3, live_time_s: 0.99, zenith_deg: 12.5, azimuth_deg: 181.2,
                pressure_hpa: 1012.3, temperature_c: 21.4, humidity_pct: 50, sipm_bias_v: 30, battery_v: 12, latitude: -30, longitude: 120, depth_m: 300,
            })).join("\n") + "\n";
            const res = await fetch(`${cloud.api!.url}/v1/uploads`, {
                method: "POST", headers: { authorization: `Bearer ${staff}`, "content-type": "application/json" },
                body: JSON.stringify({ siteId: site, filename: `${serial}.ndjson`, contentType: "application/x-ndjson", checksumSha256: createHash("sha256").update(file).digest("base64") }),
            });
            const up = await res.json() as { url: string; method: string; headers: Record<string, string> };
            expect((await fetch(up.url, { method: up.method, headers: up.headers, body: file })).status).to.equal(200);
        }
        await cloud.drain();
        const rows = await findingRows(reader, bucket);
        for (const [serial, owner] of [["MD-0290", owners[0]], ["MD-0291", owners[2]]] as const) {
            const mine = rows.filter((r) => r.detector === serial);
            expect(mine, serial).to.have.length(30);
            expect(mine.every((r) => r.clientId === owner.clientId), serial).to.equal(true);
            expect(mine.find((r) => r.seq === 7)!.severity, "the burst alerts").to.equal("alert");
        }
        const subscribed = owners[0].email!;
        const mail = cloud.sns.mailbox.inbox(subscribed).slice(mailBefore[subscribed]);
        expect(mail.map((m) => m.subject)).to.deep.equal(["mDetect alert: 1 reading on MD-0290"]);
        expect(mail[0].body).to.include("GET /v1/findings/").and.not.include("X-Amz-Signature");
        for (const other of owners.filter((o) => o.email && o !== owners[0])) {
            expect(cloud.sns.mailbox.inbox(other.email!).length, other.email).to.equal(mailBefore[other.email!]);
        }
        // The third client's alert was published and matched no subscription.
        expect(cloud.sns.published.filter((p) => p.deliveredTo.length === 0).length).to.be.greaterThan(0);
    });
});

describe("local cloud: a start that fails", function () {
    it("stops every service it had started before passing the error on (no listener left behind)", async function () {
        this.timeout(600_000);
        const { plan } = await inferencePlan();
        const broken = new LocalCloud(plan, {});
        const error = await broken.start().then(() => undefined, (e: Error) => e);
        expect(error?.message).to.match(/SageMaker endpoint: pass options.model/);
        expect(broken.s3.url, "S3 had started before the endpoint was reached").to.match(/^http:\/\/127\.0\.0\.1:\d+/);
        const reached = await fetch(broken.s3.url).then(() => "answered", (e: Error & { cause?: { code?: string } }) => e.cause?.code);
        expect(reached).to.equal("ECONNREFUSED");
    });
});
