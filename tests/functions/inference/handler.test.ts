import { expect } from "chai";
import { mockedDuring, recordSdkCalls } from "../../helpers/aws-mock";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { PublishCommand, PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { createClient, createDeployment, createDetector, createProject, createSite } from "../../../functions/registry";
import { PAYLOAD_LIMIT_BYTES } from "../../../functions/inference/contract";
import { endpointScorer } from "../../../functions/inference/endpoint";
import { FINDINGS_CSV_HEADER } from "../../../functions/inference/findings";
import { InferenceDeps, runInference } from "../../../functions/inference/handler";
import { dalRegistry } from "../../../functions/inference/registry-dal";
import { SageMakerServer } from "../../../scripts/lib/stand-in-endpoint";
import { LocalS3, startLocalS3 } from "../../helpers/s3";
import { TestDatabase, withTestDatabase } from "../../helpers/db";
import { CuratedRow } from "../../../functions/inference/curated";
import { gunzipSync } from "zlib";
import { batchObject, expectedScore, realtimeObject, rejection, row } from "./fixtures";

const BUCKET = "lake";
const TOPIC = "arn:aws:sns:ap-southeast-2:123456789012:mdetect-findings";
const THRESHOLD = 0.8;
/** MD-0001 moves from client A to client B at this instant. */
const BOUNDARY = new Date("2025-03-01T12:00:00Z");
const at = (secondsFromBoundary: number) => new Date(BOUNDARY.getTime() + secondsFromBoundary * 1000);

interface World { a: { client: string; project: string; site: string }; b: { client: string; project: string; site: string } }

async function seed(db: TestDatabase): Promise<World> {
    const pool = db.pool;
    const [ca, cb] = [await createClient(pool, { name: "Acme Mining" }), await createClient(pool, { name: "Beta Tunnels" })];
    const [pa, pb] = [await createProject(pool, { clientId: ca.id, name: "Ore body" }), await createProject(pool, { clientId: cb.id, name: "Bore" })];
    const [sa, sb] = [
        await createSite(pool, { name: "Pit 3", kind: "mine", latitude: -31.9, longitude: 115.9 }),
        await createSite(pool, { name: "Tunnel 7", kind: "tunnel", latitude: -33.8, longitude: 151.2 }),
    ];
    const d1 = await createDetector(pool, { serial: "MD-0001", model: "mD1", firmware: "1.0" });
    const d2 = await createDetector(pool, { serial: "MD-0002", model: "mD1", firmware: "1.0" });
    // MD-0004 is registered but deployed nowhere; MD-0003 is not registered at all.
    await createDetector(pool, { serial: "MD-0004", model: "mD1", firmware: "1.0" });
    await createDeployment(pool, { detectorId: d1.id, siteId: sa.id, projectId: pa.id, startsAt: at(-86_400), endsAt: BOUNDARY, status: "retrieved" });
    await createDeployment(pool, { detectorId: d1.id, siteId: sb.id, projectId: pb.id, startsAt: BOUNDARY, status: "active" });
    await createDeployment(pool, { detectorId: d2.id, siteId: sa.id, projectId: pa.id, startsAt: at(-86_400), status: "active" });
    return { a: { client: ca.id, project: pa.id, site: sa.id }, b: { client: cb.id, project: pb.id, site: sb.id } };
}

/** MD-0001 across the boundary (alerts on both sides), MD-0002 quiet, MD-0003/4 unowned. */
function readings(): CuratedRow[] {
    return [
        row("MD-0001", at(-2), 10), row("MD-0001", at(-1), 11, true),
        row("MD-0001", at(0), 12, true), row("MD-0001", at(1), 13),
        row("MD-0002", at(-1), 5), row("MD-0002", at(0), 6),
        row("MD-0003", at(0), 1, true), row("MD-0004", at(0), 1),
    ];
}

const event = (key: string) => ({ source: "aws.s3", "detail-type": "Object Created", detail: { bucket: { name: BUCKET }, object: { key, size: 1 } } });

describe("inference: one curated object end to end (s3rver, local endpoint, MariaDB, SNS mock)", () => {
    let db: TestDatabase;
    let world: World;
    let s3: LocalS3;
    let server: SageMakerServer;
    // What the handler calls (S3 and the endpoint for real, SNS mocked), for its role's IAM table (tests/infra/inference.iam.test.ts).
    const sdk = recordSdkCalls("inference");
    const sns = mockedDuring(SNSClient);
    const logs: { message: string; fields: Record<string, unknown> }[] = [];

    before(async () => {
        db = await withTestDatabase();
        world = await seed(db);
        s3 = await startLocalS3([BUCKET]);
        server = await new SageMakerServer({ limitBytes: PAYLOAD_LIMIT_BYTES.serverless }).start();
    });
    after(async () => {
        await server.stop();
        await s3.stop();
        await db.drop();
    });
    beforeEach(() => { sns().reset(); sns().on(PublishCommand).resolves({ MessageId: "m-1" }); server.reset(); logs.length = 0; });

    const deps = (): InferenceDeps => ({
        bucket: BUCKET,
        s3: s3.client,
        sns: new SNSClient({ region: "ap-southeast-2" }),
        findingsTopicArn: TOPIC,
        scorer: endpointScorer({ client: server.client(), endpointName: server.endpointName, hooks: { sleep: async () => undefined } }),
        registry: dalRegistry(db.pool),
        limitBytes: PAYLOAD_LIMIT_BYTES.serverless,
        concurrency: 2,
        alertThreshold: THRESHOLD,
        log: (message, fields) => logs.push({ message, fields }),
    });
    const infer = (...args: Parameters<typeof runInference>) => sdk.during(() => runInference(...args));
    const put = (key: string, body: Buffer) => s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    const keysUnder = async (prefix: string) => ((await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!).sort();
    const read = async (key: string) => gunzipSync(await (await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray()).toString("utf8");
    const csvRows = (text: string) => text.trim().split("\n").slice(1).map((l) => l.split(","));
    const findingRows = async () => (await db.pool.query("SELECT id, client_id, project_id, s3_key, severity, score FROM findings ORDER BY s3_key"))[0] as any[];
    const published = () => sns().commandCalls(PublishCommand).map((c) => c.args[0].input as PublishCommandInput);

    describe("routing, findings and alerts", () => {
        const source = "curated/batch/site-upload/dump-2025-03-01.csv.gz";
        let first: Awaited<ReturnType<typeof runInference>>;
        // Outer beforeEach hooks reset the mocks before each test: keep what the first run did.
        let firstLogs: typeof logs;
        let firstMessages: PublishCommandInput[];

        before(async () => {
            sns().reset();
            sns().on(PublishCommand).resolves({ MessageId: "m-1" });
            await put(source, batchObject(readings()));
            first = await infer(event(source), deps());
            firstLogs = [...logs];
            firstMessages = published();
        });

        it("routes each reading to the deployment that owned its detector at that time, one object per client/project/hour", async () => {
            const day = "2025-03-01";
            const name = first.findings[0].key.split("/").pop();
            const a = `findings/${world.a.client}/${world.a.project}/${day}`;
            const b = `findings/${world.b.client}/${world.b.project}/${day}`;
            expect(first.findings.map((f) => f.key).sort()).to.deep.equal([
                `${a}/11/${name}`, `${a}/12/${name}`, `${b}/12/${name}`, `findings/unassigned/${day}/12/${name}`,
            ].sort());
            const seqs = async (key: string) => csvRows(await read(key)).map((r) => `${r[0]}#${r[2]}`).sort();
            expect(await seqs(`${a}/11/${name}`)).to.deep.equal(["MD-0001#10", "MD-0001#11", "MD-0002#5"]);
            expect(await seqs(`${a}/12/${name}`)).to.deep.equal(["MD-0002#6"]);
            expect(await seqs(`${b}/12/${name}`), "MD-0001 from the boundary on belongs to B").to.deep.equal(["MD-0001#12", "MD-0001#13"]);
            expect(await seqs(`findings/unassigned/${day}/12/${name}`)).to.deep.equal(["MD-0003#1", "MD-0004#1"]);
        });

        it("writes every reading exactly once, with its own score and severity", async () => {
            const all = await Promise.all(first.findings.map((f) => read(f.key)));
            for (const text of all) expect(text.split("\n")[0]).to.equal(FINDINGS_CSV_HEADER);
            const written = all.flatMap(csvRows);
            const input = readings();
            expect(written).to.have.length(input.length);
            expect(first.rows).to.equal(input.length);
            for (const r of input) {
                const out = written.filter((w) => w[0] === r.detectorId && w[2] === r.seq);
                expect(out, `${r.detectorId} #${r.seq}`).to.have.length(1);
                expect(Number(out[0][3])).to.equal(expectedScore(r));
                expect(out[0][4]).to.equal(expectedScore(r) >= THRESHOLD ? "alert" : "info");
            }
        });

        it("reports unassigned readings instead of dropping them", () => {
            expect(first.unassignedRows).to.equal(2);
            const report = firstLogs.find((l) => l.message === "readings without a deployment")!;
            expect(report.fields.unassignedRows).to.equal(2);
            expect(report.fields.detectors).to.have.members(["MD-0003", "MD-0004"]);
            expect(report.fields.unknownDetectors).to.deep.equal(["MD-0003"]);
        });

        it("records one finding per client object, none for unassigned ones, with its counts", async () => {
            const [rows] = await db.pool.query("SELECT s3_key, client_id, severity, score, detector_id, detector_count, row_count, alert_count FROM findings WHERE s3_key LIKE ? ORDER BY s3_key", [`%${first.findings[0].key.split("/").pop()}`]) as any;
            expect(rows.map((r: any) => r.s3_key)).to.deep.equal(first.findings.filter((f) => !f.key.startsWith("findings/unassigned/")).map((f) => f.key).sort());
            const b = rows.find((r: any) => r.client_id === world.b.client)!;
            expect([b.severity, b.score, b.detector_count, b.row_count, b.alert_count]).to.deep.equal(["alert", expectedScore(readings()[2]), 1, 2, 1]);
            expect(b.detector_id, "a single-detector finding names its detector").to.be.a("string");
            const a11 = rows.find((r: any) => r.s3_key.includes("/11/"))!;
            expect([a11.detector_id, a11.detector_count, a11.row_count, a11.alert_count]).to.deep.equal([null, 2, 3, 1]);
            const quiet = rows.find((r: any) => r.client_id === world.a.client && r.s3_key.includes("/12/"))!;
            expect(quiet.severity).to.equal("info");
        });

        it("records one day per registered detector (not a row per detector per object), skipping unknown ones", async () => {
            const [days] = await db.pool.query("SELECT det.serial, d.day, d.first_reading_at, d.last_reading_at FROM detector_days d JOIN detectors det ON det.id = d.detector_id ORDER BY det.serial") as any;
            expect(days.map((d: any) => d.serial)).to.deep.equal(["MD-0001", "MD-0002", "MD-0004"]);
            expect(days[0].first_reading_at.toISOString()).to.equal(at(-2).toISOString());
            expect(days[0].last_reading_at.toISOString()).to.equal(at(1).toISOString());
            const [[files]] = await db.pool.query("SELECT COUNT(*) AS n FROM data_files") as any;
            expect(files.n, "inference writes no data_files rows").to.equal(0);
        });

        it("publishes one message per client with alerting rows, with client_id and severity attributes", () => {
            const messages = firstMessages;
            expect(messages).to.have.length(2);
            expect(first.messages).to.equal(2);
            for (const [owner, detectorAlerts] of [[world.a, 1], [world.b, 1]] as const) {
                const m = messages.find((x) => x.MessageAttributes?.client_id?.StringValue === owner.client)!;
                expect(m.TopicArn).to.equal(TOPIC);
                expect(m.MessageAttributes).to.deep.equal({
                    client_id: { DataType: "String", StringValue: owner.client },
                    severity: { DataType: "String", StringValue: "alert" },
                });
                expect(m.Message).to.include("MD-0001").and.include(owner.site).and.include(`Alerting readings: ${detectorAlerts}`);
                expect(m.Message).to.match(/GET \/v1\/findings\?from=/).and.match(/GET \/v1\/findings\/[0-9a-f-]{36}\/download/);
                expect(m.Message, "no presigned URL").not.to.match(/https?:\/\/|X-Amz-/i);
                expect(m.Subject!.length).to.be.at.most(100);
            }
            const b = messages.find((x) => x.MessageAttributes?.client_id?.StringValue === world.b.client)!;
            expect(b.Message).not.to.include(world.a.site);
            expect(b.Message).to.include(`Highest score: ${expectedScore(readings()[2]).toFixed(4)}`);
        });

        it("converges on a retry: same keys, same contents, no duplicate findings", async () => {
            const keys = await keysUnder("findings/");
            const contents = await Promise.all(keys.map(read));
            const ids = (await findingRows()).map((r) => r.id);
            const again = await infer(event(source), deps());
            expect(again.findings.map((f) => f.key)).to.deep.equal(first.findings.map((f) => f.key));
            expect(again.findings.map((f) => f.findingId)).to.deep.equal(first.findings.map((f) => f.findingId));
            expect(await keysUnder("findings/")).to.deep.equal(keys);
            expect(await Promise.all(keys.map(read))).to.deep.equal(contents);
            expect((await findingRows()).map((r) => r.id)).to.deep.equal(ids);
        });
    });

    it("reads a Firehose object (concatenated gzip members, no header) and routes it the same way", async () => {
        const key = "curated/realtime/2025/03/01/12/mdetect-1-2025-03-01-12-00-00-abc.gz";
        const rs = readings().filter((r) => r.detectorId === "MD-0002");
        await put(key, realtimeObject([[rs[0]], [rs[1]]]));
        const result = await infer(event(key), deps());
        expect(result.rows).to.equal(2);
        expect(result.findings.map((f) => f.key.split("/").slice(0, 5).join("/")).sort()).to.deep.equal([
            `findings/${world.a.client}/${world.a.project}/2025-03-01/11`, `findings/${world.a.client}/${world.a.project}/2025-03-01/12`]);
        const [[object]] = await db.pool.query("SELECT row_count, detector_count, unassigned_rows, checksum FROM stream_objects WHERE s3_key = ?", [key]) as any;
        expect([object.row_count, object.detector_count, object.unassigned_rows]).to.deep.equal([2, 1, 0]);
        expect(object.checksum).to.match(/^etag:/);
        expect(published()).to.deep.equal([]);
    });

    it("ends on the failure path when the endpoint keeps failing: nothing written, recorded or sent", async () => {
        const key = "curated/batch/site-upload/failing.csv.gz";
        await put(key, batchObject(readings()));
        const findingsBefore = await keysUnder("findings/");
        const recordsBefore = (await findingRows()).length;
        server.failAlways(500);
        const error = await rejection(infer(event(key), deps()));
        expect(error.name).to.equal("InternalFailure");
        expect(server.invocations.length).to.be.greaterThan(1);
        expect(await keysUnder("findings/")).to.deep.equal(findingsBefore);
        expect((await findingRows()).length).to.equal(recordsBefore);
        const [[count]] = await db.pool.query("SELECT COUNT(*) AS n FROM stream_objects WHERE s3_key = ?", [key]) as any;
        expect(count.n).to.equal(0);
        expect(published()).to.deep.equal([]);
    });

    it("refuses an event outside curated/ or for another bucket, touching nothing", async () => {
        expect((await rejection(infer(event("incoming/x.json"), deps()))).message).to.match(/not under curated\//);
        const other = { ...event("curated/batch/x.csv.gz"), detail: { bucket: { name: "elsewhere" }, object: { key: "curated/batch/x.csv.gz" } } };
        expect((await rejection(infer(other, deps()))).message).to.match(/bucket "elsewhere"/);
        expect(server.invocations).to.deep.equal([]);
    });

    it("fails a malformed curated line with its line number, before scoring anything", async () => {
        const key = "curated/batch/site-upload/broken.csv.gz";
        const { gzipSync } = await import("zlib");
        await put(key, gzipSync("detector_id,timestamp,seq,a,b,c,d,e,f,g,h\nMD-0001,2025-03-01T00:00:00Z,1,1,2,3\n"));
        expect((await rejection(infer(event(key), deps()))).message).to.match(/line 2: expected 11 fields, found 6/);
        expect(server.invocations).to.deep.equal([]);
    });
});
