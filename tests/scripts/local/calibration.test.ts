/**
 * Calibration (issue 17): the cost model's prediction for a workload (policy/lib/cost/predict.ts)
 * against the local cloud's meter for the same workload, run through the plan's real-time path
 * (signed PutRecords through the SigV4/IAM Kinesis front, Firehose, the serialized transform, S3).
 * The window is short so the suite can afford 1,000 producers: every detector sends one record
 * (readings = window), and the model predicts for exactly that window. This calibrates the ingest
 * path; the scoring path (which the local cloud now runs too) is not calibrated yet.
 */
import { expect } from "chai";
import { LocalCloud } from "../../../scripts/lib/local/cloud";
import { readPlan } from "../../../scripts/lib/local/plan";
import { designFromResources, usageFromConfig } from "../../../policy/lib/cost/design";
import { Meter, relativeDifference } from "../../../policy/lib/cost/meter";
import { FUNCTION_NAMES, predictMeter } from "../../../policy/lib/cost/predict";
import { program } from "../../helpers/program";

/** The tolerance: model and meter agree within 10 % on every count. */
const TOLERANCE = 0.1;
/** Simulated seconds each detector sends for (one record of this many readings each). */
const WINDOW_SECONDS = 20;
/** Coprime with both fleet sizes, so bad readings spread over detectors and transform batches. */
const BAD_EVERY = 97;

interface Run { readonly meter: Meter; readonly predicted: Meter }

async function calibrate(detectors: number, firstSerial: number): Promise<Run> {
    const run = await program();
    const cloud = new LocalCloud(readPlan(run));
    try {
        await cloud.start();
        const fleet = cloud.startFleet({ detectors, batchSeconds: WINDOW_SECONDS, badEvery: BAD_EVERY, firstSerial });
        await cloud.step(WINDOW_SECONDS);
        await cloud.drain();
        const meter = cloud.snapshotMeter();
        // The workload as the detectors produced it (their own counts, not the meter's).
        const bad = fleet.sent.filter((r) => r.bad).length;
        const predicted = predictMeter(designFromResources(run.resources), {
            detectors, simulatedSeconds: WINDOW_SECONDS, readingsPerRecord: WINDOW_SECONDS,
            bytesPerReading: fleet.readingBytes / fleet.sent.length, badReadingShare: bad / fleet.sent.length,
            compressionRatio: usageFromConfig(run.config).compressionRatio, clients: 1,
        });
        return { meter, predicted };
    } finally {
        await cloud.stop();
    }
}

/** Each count the model predicts, as the meter counted it. */
function counts(m: Meter, predicted: boolean): Record<string, number> {
    const transform = m.lambda[FUNCTION_NAMES.transform];
    return {
        // The local fleet puts one record per PutRecords call; the model counts records.
        "kinesis records put": predicted ? m.calls["kinesis:PutRecord"] : m.calls["kinesis:PutRecords"],
        "firehose records": m.firehose.records,
        "firehose bytes": m.firehose.bytes,
        "firehose billed bytes (5 KB per record)": m.firehose.billedBytes,
        "s3 PutObject requests": m.calls["s3:PutObject"],
        "raw/ objects": m.objects["raw/"]?.count ?? 0,
        "curated/ objects": m.objects["curated/"]?.count ?? 0,
        "quarantine/ objects": m.objects["quarantine/"]?.count ?? 0,
        "transform invocations": transform?.invocations ?? 0,
    };
}

function disagreements(r: Run): string[] {
    const meter = counts(r.meter, false);
    const model = counts(r.predicted, true);
    return Object.keys(model)
        .filter((k) => !(relativeDifference(model[k], meter[k]) <= TOLERANCE))
        .map((k) => `${k}: model ${model[k]}, meter ${meter[k]}`);
}

describe("cost model calibrated against the local cloud's meter (ingest path)", function () {
    this.timeout(600_000);
    const runs = new Map<number, Run>();

    before(async () => {
        runs.set(100, await calibrate(100, 20_001));
        runs.set(1000, await calibrate(1000, 30_001));
    });

    for (const detectors of [100, 1000]) {
        it(`${detectors} detectors: every count within ${TOLERANCE * 100} % (records, bytes, billed bytes, requests, objects, invocations)`, () => {
            const r = runs.get(detectors)!;
            expect(r.meter.detectors).to.equal(detectors);
            expect(r.meter.firehose.records, "the run carried traffic").to.be.greaterThan(0);
            expect(disagreements(r)).to.deep.equal([]);
        });
    }

    it("a wrong model is caught: records of twice the readings, or every record billed 5 KB less, fall outside the tolerance", () => {
        const r = runs.get(1000)!;
        const halfRecords: Meter = { ...r.predicted, calls: { ...r.predicted.calls, "kinesis:PutRecord": r.predicted.calls["kinesis:PutRecord"] / 2 } };
        expect(disagreements({ ...r, predicted: halfRecords })).to.have.length(1);
        const perRecord = r.predicted.firehose.billedBytes / r.predicted.firehose.records;
        const cheaper: Meter = { ...r.predicted, firehose: { ...r.predicted.firehose, billedBytes: r.predicted.firehose.records * (perRecord - 5120) } };
        expect(disagreements({ ...r, predicted: cheaper }).join()).to.match(/billed bytes/);
    });
});
