/**
 * The registry's database unavailable for 30 s while readings flow, end to end: nothing lost,
 * nothing doubled, and the documented outcome on each path that reads the registry.
 *
 * - The transform asks the registry-access function for the batch's device certificates only
 *   when its container has not cached them (functions/realtime/keyring.ts). Lambda recycles
 *   idle environments when it likes, so the outage is met by a fresh one: the registry-access
 *   function answers `unavailable`, the invocation fails, Firehose retries it NumberOfRetries
 *   (3) times and then skips the batch into its error output as `processing-failed`, raw data
 *   kept ("the skipped records are treated as unsuccessfully processed records",
 *   https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html).
 * - Inference asks the registry who owned each reading: the run fails, and Lambda's
 *   asynchronous retries (1 min, then 2 min) score the object after the outage.
 *
 * The run's Firehose buffers are 60 s (the stack's 900 s would hold every reading to the drain),
 * so the outage can be placed to meet both: it starts 5 s before the first curated object is
 * due, and the transform's next batch falls inside it.
 */
import { expect } from "chai";
import { S3Client } from "@aws-sdk/client-s3";
import { LocalCloud } from "../../../scripts/lib/local/cloud";
import { expectNothingLost, inferenceFunction, objects, startInferenceCloud } from "./fixtures";

const OUTAGE_SECONDS = 30;
const UNAVAILABLE = /the registry is temporarily unavailable/;

describe("local cloud: the registry's database unavailable for 30 s", function () {
    let cloud: LocalCloud;
    let reader: S3Client;
    let bucket: string;

    before(async function () {
        this.timeout(600_000);
        ({ cloud, bucket, reader } = await startInferenceCloud({ "mdetect:firehoseBufferSeconds": 60 }));
    });
    after(async () => { reader?.destroy(); await cloud?.stop(); });

    it("loses and doubles nothing: the transform's batch is kept as processing-failed, inference is retried after it", async function () {
        this.timeout(900_000);
        const [stream] = cloud.plan.deliveryStreams;
        const firehose = cloud.firehoses[0];
        const inference = inferenceFunction(cloud);
        cloud.startFleet({ detectors: 3, batchSeconds: 10, badEvery: 9, firstSerial: 500 });
        // The first processor batch; its Ok records reach S3 one destination interval later.
        for (let i = 0; firehose.metrics.invocations === 0; i++) {
            expect(i, "the transform ran").to.be.below(300);
            await cloud.step(1);
        }
        await cloud.step(stream.destination.bufferingIntervalSeconds - 5);

        cloud.databases.unavailableFor(OUTAGE_SECONDS);
        cloud.lambda.runner(stream.processor!.functionArn).recycleIdle();
        const transformRuns = firehose.metrics.invocations;
        const transformFailures = firehose.metrics.failedInvocations;
        await cloud.step(OUTAGE_SECONDS);
        expect(firehose.metrics.invocations, "the transform ran during the outage").to.be.greaterThan(transformRuns);
        expect(firehose.metrics.failedInvocations - transformFailures, "and failed every attempt of its batch").to.equal(stream.processor!.retries + 1);
        // Lambda's second and third asynchronous attempts come 1 and 2 minutes after a failure.
        await cloud.step(180);
        await cloud.drain();

        const skipped = (await objects(reader, bucket, "quarantine/firehose-errors/")).flatMap((o) => o.body.split("\n").filter(Boolean).map((l) => JSON.parse(l)));
        expect(skipped.length, "the skipped batch's records").to.be.greaterThan(0);
        for (const r of skipped) {
            expect([r.errorCode, r.attemptsMade]).to.deep.equal(["Lambda.InvokeFailed", stream.processor!.retries + 1]);
            expect(r.errorMessage).to.match(UNAVAILABLE);
        }

        const runs = cloud.lambda.asyncOutcomes.filter((o) => o.fn.arn === inference.arn);
        const failed = runs.filter((o) => !o.result.ok);
        expect(failed.length, "inference met the outage").to.be.greaterThan(0);
        for (const f of failed) {
            expect(f.result.errorMessage, "failed on the registry").to.match(UNAVAILABLE);
            const key = (f.event as any).detail.object.key;
            expect(runs.some((o) => o.result.ok && o.attempts > f.attempts && (o.event as any).detail.object.key === key), `${key} scored by a retry`).to.equal(true);
        }
        expect(cloud.queues.visible(inference.deadLetterArn!), "dead letters").to.deep.equal([]);

        const processingFailed = await expectNothingLost(cloud, reader, bucket, true);
        expect(processingFailed.length, "the skipped batch's readings").to.be.greaterThan(0);
    });
});
