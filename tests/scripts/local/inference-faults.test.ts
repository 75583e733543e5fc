/**
 * Faults on the scoring path of the local cloud, each with nothing lost and the documented
 * outcome (tests/scripts/local/faults.test.ts covers the real-time and upload paths):
 * - the endpoint throttling (429) and failing (5xx), with S3 refusing findings writes in a burst:
 *   the function's own backoff, then Lambda's asynchronous retries (1 min, 2 min), score it all;
 * - the inference function crashing mid-batch: Lambda retries the event;
 * - EventBridge delivering a curated object's event twice: the findings objects and the
 *   registry's findings rows are keyed by source, so nothing doubles;
 * - a poison file (a feature the model refuses) fails every attempt, lands in the function's
 *   dead-letter queue, raises the DLQ alarm to ops by e-mail, and is scored when replayed after
 *   the fix.
 */
import { expect } from "chai";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { gzipSync } from "zlib";
import { LocalCloud } from "../../../scripts/lib/local/cloud";
import { CSV_HEADER } from "../../../functions/telemetry/csv";
import { clientFor, findingRows, inferenceFunction, objects, realtimeOutcomes, startInferenceCloud } from "./fixtures";

describe("local cloud: faults on the scoring path", function () {
    let cloud: LocalCloud;
    let reader: S3Client;
    let bucket: string;

    before(async function () {
        this.timeout(600_000);
        ({ cloud, bucket, reader } = await startInferenceCloud());
    });
    after(async () => { reader?.destroy(); await cloud?.stop(); });

    const inference = () => inferenceFunction(cloud);
    const runsOf = (key: string) => cloud.lambda.asyncOutcomes.filter((o) => o.fn.arn === inference().arn && (o.event as any).detail?.object?.key === key);
    const registryFindings = async () => {
        const [rows] = await cloud.registry.pool.query("SELECT s3_key, row_count FROM findings ORDER BY s3_key") as any;
        return (rows as { s3_key: string; row_count: number }[]).map((r) => `${r.s3_key}#${r.row_count}`);
    };

    /** Every curated reading has exactly one finding row, and the registry one row per owned findings object. */
    async function nothingLostNothingDoubled(): Promise<void> {
        const outcomes = await realtimeOutcomes(reader, bucket);
        const curated = [...outcomes].filter(([, where]) => where.includes("curated")).map(([id]) => id).sort();
        const rows = await findingRows(reader, bucket);
        expect(rows.map((r) => r.id).sort()).to.deep.equal(curated);
        const keys = [...new Set(rows.filter((r) => r.clientId !== "unassigned").map((r) => r.key))];
        expect((await registryFindings()).map((k) => k.split("#")[0]).sort()).to.deep.equal(keys.sort());
    }

    it("throttling and 5xx from the endpoint, S3 5xx on findings writes, a crash mid-batch and duplicated deliveries lose and double nothing", async () => {
        // Budget: one object can meet every fault (under load only one is in flight) and still has three
        // Lambda attempts: the crash takes one, the endpoint faults one, the S3 burst none, so the
        // documented outcome is "retried and scored", never the DLQ (a larger budget makes the DLQ correct).
        // The endpoint: four 429s, then 500/503: one more than a run's five tries (functions/inference/retry.ts),
        // so a run fails and Lambda's retry finishes the work.
        const endpointFaults: (429 | 500 | 503)[] = [429, 429, 429, 429, 500, 503];
        const endpointFaultCount = endpointFaults.length;
        let injected = 0;
        cloud.faults.endpoint = () => { const f = endpointFaults.shift(); if (f) injected += 1; return f; };
        // S3 refuses two findings writes in a row: the SDK's three attempts absorb them within the run.
        let s3Burst = 2;
        cloud.faults.s3 = (op) => {
            if (op.operation !== "PutObject" || !op.key?.startsWith("findings/") || injected < endpointFaultCount || s3Burst === 0) return undefined;
            s3Burst -= 1;
            return 503;
        };
        cloud.events.hooks = { duplicate: (e) => String((e.detail as any).object?.key).startsWith("curated/") };
        cloud.lambda.runner(inference().arn).crashNext = 1;
        cloud.startFleet({ detectors: 2, batchSeconds: 10, badEvery: 11, firstSerial: 300 });
        await cloud.step(200);
        // The faults run out by themselves (counted); scoring happens as Firehose flushes, in the drain too.
        await cloud.drain();
        cloud.faults.endpoint = undefined;
        cloud.faults.s3 = undefined;
        cloud.events.hooks = {};

        expect([injected, s3Burst], "every fault was injected").to.deep.equal([endpointFaultCount, 0]);
        const runs = cloud.lambda.asyncOutcomes.filter((o) => o.fn.arn === inference().arn);
        expect(runs.some((o) => o.result.errorType === "Runtime.ExitError"), "the crash").to.equal(true);
        expect(runs.some((o) => !o.result.ok && o.result.errorType !== "Runtime.ExitError"), "a run failed on the faults and was retried").to.equal(true);
        expect(cloud.queues.visible(inference().deadLetterArn!).map((m: any) => m.attributes?.ErrorMessage), "dead letters").to.deep.equal([]);
        await nothingLostNothingDoubled();
    });

    it("a poison file fails every attempt into the DLQ, the DLQ alarm e-mails ops, and the replay after the fix scores it", async () => {
        const fn = inference();
        const writer = clientFor(cloud.s3.url, cloud.principals.issue("converter under test", cloud.plan.roles[0].arn, [{
            name: "write-curated", policy: { Version: "2012-10-17", Statement: [
                { Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${bucket}/curated/*` },
                { Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: "*" },
            ] },
        }]));
        const key = "curated/batch/poison/dump-0001.csv.gz";
        const serial = "MD-0390";
        await cloud.registry.deploy([serial], new Date(cloud.clock.now() - 86_400_000));
        const csv = (muons: string) => `${CSV_HEADER}\n${Array.from({ length: 5 }, (_, i) => `${serial},${new Date(cloud.clock.now() - 600_000 + i * 1000).toISOString()},${i},${i === 2 ? muons : "52"},3,0.99,12.5,181.2,1012.3,21.4,300`).join("\n")}\n`;
        // A converter bug writes a hexadecimal count: the Lambda's number check passes it, the model refuses it (ModelError).
        await writer.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzipSync(csv("0x34")), ContentType: "application/gzip" }));
        const ops = cloud.plan.topics.flatMap((t) => t.subscriptions).find((s) => !s.filterPolicy)!.endpoint;
        const opsMail = cloud.sns.mailbox.inbox(ops).length;
        await cloud.step(240);
        expect(runsOf(key).map((o) => [o.attempts, o.result.ok])).to.deep.equal([[1, false], [2, false], [3, false]]);
        const dlq = cloud.queues.visible(fn.deadLetterArn!);
        expect(dlq).to.have.length(1);
        expect(dlq[0].attributes.ErrorMessage).to.match(/ModelError|CuratedFormatError/);
        const alarm = cloud.sns.mailbox.inbox(ops).slice(opsMail).find((m) => m.subject.startsWith("ALARM") && m.subject.includes("inference-dlq"));
        expect(alarm, "the DLQ alarm's e-mail").to.not.equal(undefined);
        expect(JSON.parse(alarm!.body.split("\n\n--\n")[0])).to.include({ NewStateValue: "ALARM", OldStateValue: "OK" });

        // The fix: the object re-converted correctly (its own event scores it too); then the DLQ is replayed.
        await writer.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzipSync(csv("52")), ContentType: "application/gzip" }));
        for (const m of cloud.queues.drain(fn.deadLetterArn!)) cloud.lambda.invokeAsync(fn.arn, JSON.parse(m.body));
        await cloud.drain();
        writer.destroy();
        expect(runsOf(key).slice(3).map((o) => o.result.ok)).to.deep.equal([true, true]);
        const rows = (await findingRows(reader, bucket)).filter((r) => r.detector === serial);
        expect(rows.map((r) => r.seq).sort()).to.deep.equal([0, 1, 2, 3, 4]);
        expect((await registryFindings()).filter((k) => k.includes("dump-0001"))).to.have.length(1);
        expect((await objects(reader, bucket, "findings/")).filter((o) => o.key.includes("dump-0001"))).to.have.length(1);
    });
});
