/**
 * `mdetect model <train|package|check>`: the scikit-learn artifact for the SageMaker image.
 * - train --out model.joblib [--rows N] [--seed N]: fits the example anomaly model (model/train.py).
 * - package <model.joblib> [--out model.tar.gz]: checks the estimator against the image
 *   (scikit-learn 1.2 pickle, predict_proba, 8 features, 2 classes) and writes model.joblib +
 *   code/inference.py in the image's layout (model/package.py). How mDetect brings its own
 *   pre-trained model: package it with this command, then set mdetect:modelArtifact to the file.
 * - check <model.tar.gz>: serves it with its own inference.py on a local endpoint and scores
 *   sample rows through the SageMaker runtime client, as the inference Lambda does.
 * Exit codes: 0 done, 1 refused or failed (one line why), 2 usage.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FEATURE_COUNT, PAYLOAD_LIMIT_BYTES } from "../../functions/inference/contract";
import { endpointScorer } from "../../functions/inference/endpoint";
import { Command, action, examples, wholeNumber } from "../lib/cli";
import { LocalEndpoint } from "../lib/local-endpoint";
import { runModelScript } from "../lib/local-endpoint-python";

/** Sample rows for `check`: a typical reading, a coincidence burst, a dead-time spike (schema/features.json order). */
export const CHECK_ROWS: readonly string[] = [
    "52,3,0.99,12.5,181.2,1012.3,21.4,300",
    "52,48,0.99,12.5,181.2,1012.3,21.4,300",
    "20,1,0.2,40,90,1015,18,300",
];

/** The last line a script wrote to stderr: its one-line reason. */
function reason(stderr: string): string {
    return stderr.trim().split("\n").pop() ?? "failed";
}

export interface TrainOptions { readonly out: string; readonly rows?: number; readonly seed?: number }

export async function trainModel(options: TrainOptions): Promise<Record<string, unknown>> {
    const args = ["--out", options.out, ...(options.rows ? ["--rows", String(options.rows)] : []), ...(options.seed !== undefined ? ["--seed", String(options.seed)] : [])];
    const run = await runModelScript("train.py", args);
    if (run.status !== 0) throw new Error(reason(run.stderr));
    return JSON.parse(run.stdout);
}

export async function packageModel(model: string, out: string): Promise<Record<string, unknown>> {
    const run = await runModelScript("package.py", ["package", model, "--out", out]);
    if (run.status !== 0) throw new Error(reason(run.stderr));
    return JSON.parse(run.stdout);
}

/** Serves the artifact and scores CHECK_ROWS through the runtime client; the scores, one per row, in [0, 1]. */
export async function checkArtifact(artifact: string): Promise<number[]> {
    if (!fs.existsSync(artifact)) throw new Error(`${artifact}: no such file`);
    const endpoint = await LocalEndpoint.start({ artifact, limitBytes: PAYLOAD_LIMIT_BYTES.serverless });
    try {
        const score = endpointScorer({ client: endpoint.client(), endpointName: endpoint.endpointName, retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
        return await score(CHECK_ROWS.map((r) => `${r}\n`).join(""), CHECK_ROWS.length);
    } finally {
        await endpoint.stop();
    }
}

async function train(opts: { out: string; rows?: number; seed?: number }): Promise<number> {
    const summary = await trainModel(opts);
    console.log(`trained ${summary.out}: ${summary.rows} generated readings (${summary.anomalies} anomalous), held-out accuracy ${summary.heldOutAccuracy}`);
    return 0;
}

async function pack(model: string, opts: { out: string }): Promise<number> {
    const s = await packageModel(model, opts.out);
    console.log(`packaged ${s.estimator} (scikit-learn ${(s.sklearn as string[]).join(", ")}, ${s.nFeatures} features) -> ${s.out} (${s.bytes} bytes: model.joblib, code/inference.py)`);
    return 0;
}

async function check(artifact: string): Promise<number> {
    const scores = await checkArtifact(artifact);
    console.log(`${artifact}: loaded by its code/inference.py, scored ${scores.length} sample rows of ${FEATURE_COUNT} features:`);
    CHECK_ROWS.forEach((row, i) => console.log(`  ${row} -> ${scores[i].toFixed(4)}`));
    return 0;
}

export function command(): Command {
    const model = new Command("model").description("train, package (for the SageMaker scikit-learn image) and check a model artifact");
    const trainCmd = new Command("train").description("fit the example anomaly model on generated telemetry (model/train.py)")
        .requiredOption("--out <model.joblib>", "where to write the fitted estimator")
        .option("--rows <n>", "generated readings to train on", wholeNumber(100))
        .option("--seed <n>", "random seed", wholeNumber(0));
    examples(trainCmd, ["mdetect model train --out model.joblib --rows 20000 --seed 7"]);
    const packageCmd = new Command("package").description("check an estimator against the image (scikit-learn 1.2, predict_proba, 8 features) and write model.tar.gz")
        .argument("<model.joblib>", "a joblib-pickled scikit-learn estimator")
        .option("--out <file>", "the artifact to write", "model.tar.gz");
    examples(packageCmd, ["mdetect model package model.joblib --out model.tar.gz", "pulumi config set mdetect:modelArtifact ./model.tar.gz"]);
    const checkCmd = new Command("check").description("serve the artifact with its own code/inference.py and score sample rows")
        .argument("<model.tar.gz>", "an artifact written by `mdetect model package`");
    examples(checkCmd, ["mdetect model check model.tar.gz"]);
    model.addCommand(action(trainCmd, train)).addCommand(action(packageCmd, pack)).addCommand(action(checkCmd, check));
    examples(model, ["mdetect model train --out model.joblib", "mdetect model package model.joblib", "mdetect model check model.tar.gz"]);
    return model;
}

/** For tests: a scratch directory for artifacts. */
export function scratchDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-model-"));
}
