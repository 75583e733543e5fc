import { expect } from "chai";
import { gunzipSync, gzipSync } from "zlib";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { PAYLOAD_LIMIT_BYTES } from "../../functions/inference/contract";
import { CuratedRow } from "../../functions/inference/curated";
import { endpointScorer } from "../../functions/inference/endpoint";
import { FINDINGS_CSV_HEADER } from "../../functions/inference/findings";
import { InferenceDeps, runInference } from "../../functions/inference/handler";
import { dalRegistry } from "../../functions/inference/registry-dal";
import { ScoringEndpoint } from "../../scripts/lib/local-endpoint";
import { mockedDuring } from "../helpers/aws-mock";
import { TestDatabase, withTestDatabase } from "../helpers/db";
import { LocalS3, startLocalS3 } from "../helpers/s3";
import { startScoringEndpoint } from "../../scripts/lib/stand-in-endpoint";
import { HEADER, batchObject, line, rejection, row } from "../functions/inference/fixtures";
import { trainedArtifact } from "./trained";

const BUCKET = "lake";
const THRESHOLD = 0.8;
const START = new Date("2025-03-01T00:00:00Z");
const at = (s: number) => new Date(START.getTime() + s * 1000);
const event = (key: string) => ({ source: "aws.s3", "detail-type": "Object Created", detail: { bucket: { name: BUCKET }, object: { key, size: 1 } } });
/** Rows past one 4 MB chunk (~31 bytes of features each, under the 153,846-row cap of limit / 26), so the first request is a full-size body. */
const LARGE_ROWS = 150_000;

/** The packaged model; only where no Python with scikit-learn 1.2 exists, the stand-in (printed). */
describe("inference handler with the real model: trained, packaged, served by its own inference.py", function () {
    let s3: LocalS3;
    let db: TestDatabase;
    let endpoint: ScoringEndpoint;
    const sns = mockedDuring(SNSClient);

    before(async () => {
        endpoint = await startScoringEndpoint({ artifact: async () => (await trainedArtifact()).artifact, limitBytes: PAYLOAD_LIMIT_BYTES.serverless });
        s3 = await startLocalS3([BUCKET]);
        db = await withTestDatabase();
    });
    after(async () => {
        await endpoint?.stop();
        await s3?.stop();
        await db?.drop();
    });
    beforeEach(() => { sns().on(PublishCommand).resolves({ MessageId: "m-1" }); });

    const deps = (): InferenceDeps => ({
        bucket: BUCKET,
        s3: s3.client,
        sns: new SNSClient({ region: "ap-southeast-2" }),
        findingsTopicArn: "arn:aws:sns:ap-southeast-2:123456789012:mdetect-findings",
        scorer: endpointScorer({ client: endpoint.client(), endpointName: endpoint.endpointName, hooks: { sleep: async () => undefined } }),
        registry: dalRegistry(db.pool),
        limitBytes: PAYLOAD_LIMIT_BYTES.serverless,
        concurrency: 2,
        alertThreshold: THRESHOLD,
    });
    const put = (key: string, body: Buffer) => s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    const keysUnder = async (prefix: string) => {
        const keys: string[] = [];
        let token: string | undefined;
        do {
            const page = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
            keys.push(...(page.Contents ?? []).map((o) => o.Key!));
            token = page.NextContinuationToken;
        } while (token);
        return keys.sort();
    };
    /** Every findings row written for one source object: [detector_id, timestamp, seq, score, severity]. */
    const findingsOf = async (source: string) => {
        const name = source.split("/").pop()!.replace(/\.csv\.gz$/, "");
        const keys = (await keysUnder("findings/")).filter((k) => k.split("/").pop()!.startsWith(name));
        // Findings objects are gzip CSV (schema/datalake.md).
        const texts = await Promise.all(keys.map(async (k) => gunzipSync(await (await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: k }))).Body!.transformToByteArray()).toString("utf8")));
        for (const t of texts) expect(t.split("\n")[0]).to.equal(FINDINGS_CSV_HEADER);
        return texts.flatMap((t) => t.trim().split("\n").slice(1).map((l) => l.split(",")));
    };

    it("scores a curated object: every row once, each score in [0, 1], the coincidence bursts as alerts", async () => {
        const readings: CuratedRow[] = [];
        for (let i = 0; i < 40; i++) readings.push(row(`MD-${String(1 + (i % 4)).padStart(4, "0")}`, at(i), i, i % 10 === 3));
        const key = "curated/batch/site-upload/real-model.csv.gz";
        await put(key, batchObject(readings));
        const result = await runInference(event(key), deps());
        expect(result.rows).to.equal(readings.length);
        const written = await findingsOf(key);
        expect(written).to.have.length(readings.length);
        for (const r of readings) {
            const out = written.filter((w) => w[0] === r.detectorId && w[2] === r.seq);
            expect(out, `${r.detectorId} #${r.seq}`).to.have.length(1);
            const score = Number(out[0][3]);
            expect(score).to.be.within(0, 1);
            // The trained model knows a burst of 60 coincidences in 100 muons (the stand-in's weights do too).
            const burst = r.features.split(",")[1] === "60";
            expect(score >= THRESHOLD, `${r.features} -> ${score}`).to.equal(burst);
        }
    });

    it("scores a one-row object (one one-line body)", async () => {
        const key = "curated/batch/site-upload/one-row.csv.gz";
        await put(key, batchObject([row("MD-0001", at(0), 1)]));
        const result = await runInference(event(key), deps());
        expect([result.rows, result.chunks]).to.deep.equal([1, 1]);
        const [only] = await findingsOf(key);
        expect(Number(only[3])).to.be.within(0, 1);
    });

    it("scores an object whose first chunk is a full 4 MB body", async () => {
        const readings = Array.from({ length: LARGE_ROWS }, (_, i) => row(`MD-${String(1 + (i % 5)).padStart(4, "0")}`, at(i), i, i % 997 === 0));
        const key = "curated/batch/site-upload/large.csv.gz";
        await put(key, batchObject(readings));
        const result = await runInference(event(key), deps());
        expect(result.rows).to.equal(LARGE_ROWS);
        expect(result.chunks).to.equal(2);
        const scores = (await findingsOf(key)).map((w) => Number(w[3]));
        expect(scores).to.have.length(LARGE_ROWS);
        expect(scores.every((s) => s >= 0 && s <= 1)).to.equal(true);
    });

    it("a body the model refuses (a hex number the curated check lets through): ModelError from the container's 400, nothing written or sent", async () => {
        const key = "curated/batch/site-upload/hex.csv.gz";
        const good = row("MD-0001", at(0), 1);
        await put(key, gzipSync(`${HEADER}\n${line(good)}\n${line({ ...good, seq: "2", features: good.features.replace(/^\d+/, "0x64") })}\n`));
        const before = await keysUnder("findings/");
        const error = await rejection(runInference(event(key), deps())) as Error & { OriginalStatusCode?: number };
        expect(error.name).to.equal("ModelError");
        expect(error.OriginalStatusCode).to.equal(400);
        expect(await keysUnder("findings/")).to.deep.equal(before);
        const [[files]] = await db.pool.query("SELECT COUNT(*) AS n FROM data_files WHERE s3_key = ?", [key]) as any;
        expect(files.n).to.equal(0);
        expect(sns().commandCalls(PublishCommand)).to.have.length(0);
    });
});
