/**
 * Calibration (issue 17): the cost model's prediction for a workload (policy/lib/cost/predict.ts)
 * against the local cloud's meter for the same workload, run through the plan with a model
 * (localRunConfig): signed PutRecords through the SigV4/IAM Kinesis front, Firehose, the
 * serialized transform, S3, then the scoring path (EventBridge, the serialized inference
 * function, the SageMaker runtime front, the registry-access function, findings/ objects).
 * The window is short so the suite can afford 1,000 producers: every detector sends one record
 * (readings = window), and the model predicts for exactly that window. One started cloud meters
 * both fleet sizes in turn (meterSince).
 */
import { expect } from "chai";
import { LocalCloud } from "../../../scripts/lib/local/cloud";
import { LocalOwner } from "../../../scripts/lib/local/registry";
import { SEED } from "../../../scripts/lib/registry-seed";
import type { ProgramRun } from "../../../scripts/lib/mock-run";
import { designFromResources, usageFromConfig } from "../../../policy/lib/cost/design";
import { PROJECTS_PER_CLIENT } from "../../../policy/lib/cost/model";
import { Meter, meterSince, relativeDifference } from "../../../policy/lib/cost/meter";
import { FUNCTION_NAMES, predictMeter } from "../../../policy/lib/cost/predict";
import { startInferenceCloud } from "./fixtures";

/** The tolerance: model and meter agree within 10 % on every count. */
const TOLERANCE = 0.1;
/** Simulated seconds each detector sends for (one record of this many readings each). */
const WINDOW_SECONDS = 20;
/** Coprime with both fleet sizes, so bad readings spread over detectors and transform batches. */
const BAD_EVERY = 97;

interface Run { readonly meter: Meter; readonly predicted: Meter }

/** The first seeded client's projects: the fleet is one client with the model's projects per client. */
function oneClientsProjects(owner: LocalOwner): LocalOwner[] {
    const projects = SEED.find((t) => t.table === "projects")!.rows.filter((p) => p.client_id === owner.clientId);
    return projects.slice(0, PROJECTS_PER_CLIENT).map((p) => ({ clientId: owner.clientId, projectId: String(p.id) }));
}

async function calibrate(cloud: LocalCloud, run: ProgramRun, detectors: number, firstSerial: number): Promise<Run> {
    const before = cloud.snapshotMeter();
    const owners = oneClientsProjects(await cloud.registry.seededOwner());
    expect(owners, "the seed gives the first client as many projects as the model assumes").to.have.length(PROJECTS_PER_CLIENT);
    const fleet = cloud.startFleet({ detectors, batchSeconds: WINDOW_SECONDS, badEvery: BAD_EVERY, firstSerial }, owners);
    try {
        await cloud.step(WINDOW_SECONDS);
        await cloud.drain();
    } finally {
        fleet.stop();
    }
    const meter = meterSince(cloud.snapshotMeter(), before);
    // The workload as the detectors produced it (their own counts, not the meter's).
    const bad = fleet.sent.filter((r) => r.bad).length;
    const predicted = predictMeter(designFromResources(run.resources), {
        detectors, simulatedSeconds: WINDOW_SECONDS, readingsPerRecord: WINDOW_SECONDS,
        bytesPerReading: fleet.readingBytes / fleet.sent.length, badReadingShare: bad / fleet.sent.length,
        compressionRatio: usageFromConfig(run.config).compressionRatio, clients: 1,
    });
    return { meter, predicted };
}

/** Each count the model predicts, as the meter counted it. */
function counts(m: Meter, predicted: boolean): Record<string, number> {
    const invocations = (fn: string) => m.lambda[fn]?.invocations ?? 0;
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
        "findings/ objects": m.objects["findings/"]?.count ?? 0,
        "transform invocations": invocations(FUNCTION_NAMES.transform),
        "inference invocations": invocations(FUNCTION_NAMES.inference),
        "registry-access invocations": invocations(FUNCTION_NAMES.registryAccess),
        "endpoint requests (InvokeEndpoint)": m.endpoint.requests,
        "endpoint rows": m.endpoint.rows,
        "endpoint bytes (features sent)": m.endpoint.bytes,
    };
}

function disagreements(r: Run): string[] {
    const meter = counts(r.meter, false);
    const model = counts(r.predicted, true);
    return Object.keys(model)
        .filter((k) => !(relativeDifference(model[k], meter[k]) <= TOLERANCE))
        .map((k) => `${k}: model ${model[k]}, meter ${meter[k]}`);
}

describe("cost model calibrated against the local cloud's meter (ingest and scoring paths)", function () {
    this.timeout(1_200_000);
    const runs = new Map<number, Run>();
    let cloud: LocalCloud | undefined;

    before(async () => {
        const started = await startInferenceCloud();
        cloud = started.cloud;
        started.reader.destroy();
        runs.set(100, await calibrate(cloud, started.run, 100, 20_001));
        runs.set(1000, await calibrate(cloud, started.run, 1000, 30_001));
    });
    after(async () => { await cloud?.stop(); });

    for (const detectors of [100, 1000]) {
        it(`${detectors} detectors: every count within ${TOLERANCE * 100} % (records, bytes, requests, objects, invocations, endpoint rows and bytes)`, () => {
            const r = runs.get(detectors)!;
            expect(r.meter.detectors).to.equal(detectors);
            expect(r.meter.firehose.records, "the run carried traffic").to.be.greaterThan(0);
            expect(r.meter.endpoint.rows, "the run was scored").to.be.greaterThan(0);
            expect(disagreements(r)).to.deep.equal([]);
        });
    }

    it("a wrong model is caught: records of twice the readings, every record billed 5 KB less, or the registry called per detector", () => {
        const r = runs.get(1000)!;
        const halfRecords: Meter = { ...r.predicted, calls: { ...r.predicted.calls, "kinesis:PutRecord": r.predicted.calls["kinesis:PutRecord"] / 2 } };
        expect(disagreements({ ...r, predicted: halfRecords })).to.have.length(1);
        const perRecord = r.predicted.firehose.billedBytes / r.predicted.firehose.records;
        const cheaper: Meter = { ...r.predicted, firehose: { ...r.predicted.firehose, billedBytes: r.predicted.firehose.records * (perRecord - 5120) } };
        expect(disagreements({ ...r, predicted: cheaper }).join()).to.match(/billed bytes/);
        // The audit's defect: two registry calls per detector per object instead of two per object.
        const registry = r.predicted.lambda[FUNCTION_NAMES.registryAccess];
        const perDetector: Meter = { ...r.predicted, lambda: { ...r.predicted.lambda, [FUNCTION_NAMES.registryAccess]: { ...registry, invocations: 2 * r.meter.detectors } } };
        expect(disagreements({ ...r, predicted: perDetector })).to.deep.equal([`registry-access invocations: model 2000, meter ${r.meter.lambda[FUNCTION_NAMES.registryAccess].invocations}`]);
    });
});
