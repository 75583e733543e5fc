import { expect } from "chai";
import { InvokeCommand, InvokeCommandInput, LambdaClient } from "@aws-sdk/client-lambda";
import { GetObjectCommand, GetObjectCommandInput, PutObjectCommand, PutObjectCommandInput, S3Client } from "@aws-sdk/client-s3";
import { PublishCommand, PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { INVOKE_RESPONSE_SECONDS, PAYLOAD_LIMIT_BYTES } from "../../../functions/inference/contract";
import { InferenceEnv, inferenceHandlerFromEnv } from "../../../functions/inference/lambda";
import { DEFAULT_RETRY } from "../../../functions/inference/retry";
import * as reg from "../../../functions/registry";
import { handleAccessRequest } from "../../../functions/registry/access-handler";
import { SageMakerServer } from "../../../scripts/lib/stand-in-endpoint";
import { mockedDuring } from "../../helpers/aws-mock";
import { TestDatabase, withTestDatabase } from "../../helpers/db";
import { buildWorld, invokeThroughHandler, t, World } from "../registry/fixtures";
import { batchObject, expectedScore, rejection, row, rowsTotalling, stream } from "./fixtures";

/**
 * The adapter in-process: configuration from the variables infra/inference.ts sets, the real SDK
 * clients it builds (S3, SNS and Lambda stubbed on their prototypes; SageMaker for real over HTTP
 * to the stand-in endpoint), and what the handler then sends.
 */
const ENV: Required<InferenceEnv> = {
    DATA_LAKE_BUCKET: "mdetect-lake-test",
    ENDPOINT_NAME: "mdetect-test-scorer",
    ENDPOINT_KIND: "serverless",
    INVOKE_CONCURRENCY: "2",
    ALERT_THRESHOLD: "0.5",
    FINDINGS_TOPIC_ARN: "arn:aws:sns:ap-southeast-2:123456789012:mdetect-findings-test",
    REGISTRY_FUNCTION: "mdetect-registry-access-test",
};
const NAMES = Object.keys(ENV) as (keyof InferenceEnv)[];
const event = (key: string, bucket = ENV.DATA_LAKE_BUCKET) => ({ source: "aws.s3", "detail-type": "Object Created", detail: { bucket: { name: bucket }, object: { key, size: 1 } } });
const without = (name: keyof InferenceEnv): InferenceEnv => Object.fromEntries(Object.entries(ENV).filter(([k]) => k !== name));

describe("inference: the Lambda adapter (environment, SDK clients, handler)", () => {
    describe("configuration errors: one line naming the variable", () => {
        const refusal = (env: InferenceEnv) => {
            try { inferenceHandlerFromEnv(env); } catch (error) { return (error as Error).message; }
            throw new Error("expected the configuration to be refused");
        };

        for (const name of NAMES) {
            it(`refuses a missing or empty ${name}`, () => {
                for (const env of [without(name), { ...ENV, [name]: "" }]) expect(refusal(env)).to.equal(`environment variable ${name} is not set`);
            });
        }

        it("accepts the full set", () => {
            expect(inferenceHandlerFromEnv(ENV)).to.be.a("function");
        });

        it("refuses an ENDPOINT_KIND other than serverless or instance, inherited Object keys included", () => {
            for (const kind of ["lambda", "Serverless", "toString", "constructor", "__proto__"]) {
                expect(refusal({ ...ENV, ENDPOINT_KIND: kind }), kind).to.equal("ENDPOINT_KIND must be one of serverless, instance");
            }
            expect(inferenceHandlerFromEnv({ ...ENV, ENDPOINT_KIND: "instance" })).to.be.a("function");
        });

        it("takes INVOKE_CONCURRENCY from 1 up, whole numbers only", () => {
            for (const value of ["0", "-1", "1.5", "two", " "]) {
                expect(refusal({ ...ENV, INVOKE_CONCURRENCY: value }), value).to.equal("INVOKE_CONCURRENCY must be a positive integer");
            }
            for (const value of ["1", "64"]) expect(inferenceHandlerFromEnv({ ...ENV, INVOKE_CONCURRENCY: value }), value).to.be.a("function");
        });

        it("takes ALERT_THRESHOLD in (0, 1]", () => {
            for (const value of ["0", "-0.1", "1.0001", "high", "NaN"]) {
                expect(refusal({ ...ENV, ALERT_THRESHOLD: value }), value).to.equal("ALERT_THRESHOLD must be in (0, 1]");
            }
            for (const value of ["0.0001", "1"]) expect(inferenceHandlerFromEnv({ ...ENV, ALERT_THRESHOLD: value }), value).to.be.a("function");
        });
    });

    describe("the handler it builds", () => {
        const s3 = mockedDuring(S3Client);
        const sns = mockedDuring(SNSClient);
        const lambda = mockedDuring(LambdaClient);
        let server: SageMakerServer;
        let db: TestDatabase;
        let w: World;
        const saved: Record<string, string | undefined> = {};
        /**
         * The HTTP handlers of the SageMaker requests sent and the most in flight at once. With `gate`
         * set, each request waits until that many are in flight (or a second passes), so the peak
         * shows the handler's limit whatever the timing of reads and responses.
         */
        const http = { handlers: [] as NodeHttpHandler[], inFlight: 0, peak: 0, gate: 0 };
        let waiting: (() => void)[] = [];
        const realHandle = NodeHttpHandler.prototype.handle;
        const objects = new Map<string, Buffer>();
        /** What the handler logs (console.log, as the Lambda runtime sends stdout to CloudWatch), kept off the test output. */
        const stdout: string[] = [];
        const realLog = console.log;

        before(async () => {
            // The instance limit, so a chunk sized for either kind is accepted and its size shows which limit cut it.
            server = await new SageMakerServer({ limitBytes: PAYLOAD_LIMIT_BYTES.instance, endpointName: ENV.ENDPOINT_NAME }).start();
            const local = { AWS_REGION: "ap-southeast-2", AWS_ACCESS_KEY_ID: "AKIDLOCAL", AWS_SECRET_ACCESS_KEY: "local", AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: server.url };
            for (const [k, v] of Object.entries(local)) { saved[k] = process.env[k]; process.env[k] = v; }
            NodeHttpHandler.prototype.handle = async function (this: NodeHttpHandler, ...args: Parameters<NodeHttpHandler["handle"]>) {
                http.handlers.push(this);
                http.peak = Math.max(http.peak, ++http.inFlight);
                if (http.inFlight >= http.gate) { waiting.forEach((release) => release()); waiting = []; }
                else await new Promise<void>((resolve) => { waiting.push(resolve); setTimeout(resolve, 1000); });
                try { return await realHandle.apply(this, args); } finally { http.inFlight--; }
            };
            db = await withTestDatabase();
            w = await buildWorld(db.pool);
            await reg.createDeployment(db.pool, { detectorId: w.d1.id, siteId: w.mine.id, projectId: w.projectA.id, startsAt: t("2025-01-01T00:00:00Z") });
        });
        after(async () => {
            NodeHttpHandler.prototype.handle = realHandle;
            for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
            await server.stop();
            await db.drop();
        });
        beforeEach(() => {
            stdout.length = 0;
            console.log = (...args: unknown[]) => { stdout.push(args.join(" ")); };
            server.reset();
            Object.assign(http, { handlers: [], inFlight: 0, peak: 0, gate: 0 });
            objects.clear();
            s3().on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => ({ Body: stream(objects.get(input.Key!)!), ETag: "\"e1\"" }));
            s3().on(PutObjectCommand).resolves({});
            sns().on(PublishCommand).resolves({ MessageId: "m-1" });
            lambda().on(InvokeCommand).callsFake(invokeThroughHandler(db.pool, handleAccessRequest));
        });

        afterEach(() => { console.log = realLog; });

        const gets = () => s3().commandCalls(GetObjectCommand).map((c) => c.args[0].input as GetObjectCommandInput);
        const puts = () => s3().commandCalls(PutObjectCommand).map((c) => c.args[0].input as PutObjectCommandInput);
        const published = () => sns().commandCalls(PublishCommand).map((c) => c.args[0].input as PublishCommandInput);
        const invokes = () => lambda().commandCalls(InvokeCommand).map((c) => c.args[0].input as InvokeCommandInput);
        /** MD-9001 is deployed for client A; one of its readings alerts. */
        const readings = [row("MD-9001", t("2025-03-01T10:00:00Z"), 1), row("MD-9001", t("2025-03-01T10:00:01Z"), 2, true)];
        const KEY = "curated/batch/site-upload/adapter.csv.gz";

        it("reads the object from DATA_LAKE_BUCKET, scores on ENDPOINT_NAME, records through REGISTRY_FUNCTION, alerts FINDINGS_TOPIC_ARN", async () => {
            objects.set(KEY, batchObject(readings));
            const result = await inferenceHandlerFromEnv(ENV)(event(KEY));
            expect(gets()).to.deep.equal([{ Bucket: ENV.DATA_LAKE_BUCKET, Key: KEY, VersionId: undefined }]);
            expect(server.invocations).to.deep.equal([{ endpoint: ENV.ENDPOINT_NAME, bytes: Buffer.byteLength(readings.map((r) => `${r.features}\n`).join("")), rows: 2, status: 200 }]);
            expect(puts().map((p) => p.Bucket)).to.deep.equal([ENV.DATA_LAKE_BUCKET]);
            expect(puts()[0].Key).to.match(new RegExp(`^findings/${w.clientA.id}/${w.projectA.id}/2025-03-01/10/`));
            expect(invokes().map((i) => i.FunctionName)).to.deep.equal([ENV.REGISTRY_FUNCTION, ENV.REGISTRY_FUNCTION]);
            const [[recorded]] = await db.pool.query("SELECT COUNT(*) AS n FROM findings WHERE s3_key = ?", [puts()[0].Key]) as any;
            expect(recorded.n).to.equal(1);
            expect(published().map((p) => p.TopicArn)).to.deep.equal([ENV.FINDINGS_TOPIC_ARN]);
            expect(published()[0].Message).to.include(`at or above the alert threshold (${ENV.ALERT_THRESHOLD})`);
            expect(result).to.include({ sourceKey: KEY, rows: 2, alertingRows: 1, messages: 1 });
        });

        it("alerts at ALERT_THRESHOLD exactly and not just above it", async () => {
            objects.set(KEY, batchObject(readings));
            const top = expectedScore(readings[1]);
            expect((await inferenceHandlerFromEnv({ ...ENV, ALERT_THRESHOLD: String(top) })(event(KEY))).messages).to.equal(1);
            expect((await inferenceHandlerFromEnv({ ...ENV, ALERT_THRESHOLD: String(top + 1e-9) })(event(KEY))).messages).to.equal(0);
            expect(published()).to.have.length(1);
        });

        it("refuses an event for a bucket other than DATA_LAKE_BUCKET before reading anything", async () => {
            expect((await rejection(inferenceHandlerFromEnv(ENV)(event(KEY, "elsewhere")))).message).to.match(/bucket "elsewhere"/);
            expect(gets()).to.deep.equal([]);
        });

        // Two serverless limits and a byte of readings: three chunks under the serverless limit, two under the instance one.
        const big = rowsTotalling(2 * PAYLOAD_LIMIT_BYTES.serverless + 1, 60_000);
        for (const [kind, chunks] of [["serverless", 3], ["instance", 2]] as const) {
            it(`cuts ${kind} chunks at ${PAYLOAD_LIMIT_BYTES[kind]} bytes, INVOKE_CONCURRENCY of them in flight`, async () => {
                objects.set(KEY, batchObject(big));
                http.gate = Number(ENV.INVOKE_CONCURRENCY);
                const result = await inferenceHandlerFromEnv({ ...ENV, ENDPOINT_KIND: kind })(event(KEY));
                expect(server.invocations.map((i) => i.status)).to.deep.equal(new Array(chunks).fill(200));
                expect(Math.max(...server.invocations.map((i) => i.bytes))).to.be.at.most(PAYLOAD_LIMIT_BYTES[kind]);
                expect(server.invocations.reduce((n, i) => n + i.bytes, 0)).to.equal(2 * PAYLOAD_LIMIT_BYTES.serverless + 1);
                expect(http.peak).to.equal(Number(ENV.INVOKE_CONCURRENCY));
                expect(result.rows).to.equal(big.length);
            }).timeout(300_000);
        }

        it("leaves retries to its own policy (no SDK retries beneath it) and waits past the container's 60 s", async () => {
            objects.set(KEY, batchObject(readings));
            server.failAlways(500);
            const error = await rejection(inferenceHandlerFromEnv(ENV)(event(KEY)));
            expect(error.name).to.equal("InternalFailure");
            expect(server.invocations).to.have.length(DEFAULT_RETRY.maxAttempts);
            // SageMaker's own timeout error must arrive before the socket gives up, but not long after.
            const { requestTimeout } = http.handlers[0].httpHandlerConfigs();
            expect(requestTimeout).to.be.greaterThan(INVOKE_RESPONSE_SECONDS * 1000).and.at.most((INVOKE_RESPONSE_SECONDS + 10) * 1000);
        }).timeout(60_000);

        it("builds its clients once and reuses them for every event", async () => {
            objects.set(KEY, batchObject(readings));
            const handler = inferenceHandlerFromEnv(ENV);
            await handler(event(KEY));
            await handler(event(KEY));
            expect(new Set(http.handlers).size).to.equal(1);
            for (const stub of [s3(), sns(), lambda()]) {
                expect(stub.send.callCount, "calls").to.be.greaterThan(1);
                expect(new Set(stub.send.getCalls().map((c) => c.thisValue)).size).to.equal(1);
            }
        });

        it("logs one JSON line per message to stdout (what CloudWatch keeps)", async () => {
            objects.set(KEY, batchObject([...readings, row("MD-0404", t("2025-03-01T10:00:02Z"), 3)]));
            await inferenceHandlerFromEnv(ENV)(event(KEY));
            const entries = stdout.map((l) => JSON.parse(l));
            expect(entries.map((e) => e.message)).to.deep.equal(["readings without a deployment", "inference done"]);
            expect(entries[0]).to.include({ sourceKey: KEY, unassignedRows: 1 });
            expect(entries[1]).to.include({ sourceKey: KEY, rows: 3, chunks: 1, findings: 2, unassignedRows: 1, messages: 1 });
        });
    });
});
