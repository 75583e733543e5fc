/**
 * The repository's small deterministic sample model (tests/fixtures/model/sample-model.json):
 * logistic regression over the 8 features, score = 1 / (1 + exp(-(bias + sum(w_i * x_i)))).
 * The local endpoint in tests and the benchmark serve it; schema/model-contract.md documents it.
 */
import * as fs from "fs";
import * as path from "path";
import { FEATURE_COUNT } from "../../functions/inference/contract";

export interface SampleModel {
    readonly features: readonly string[];
    readonly weights: readonly number[];
    readonly bias: number;
}

export function checkSampleModel(model: SampleModel): SampleModel {
    if (model.features.length !== FEATURE_COUNT || model.weights.length !== FEATURE_COUNT || !model.weights.every(Number.isFinite) || !Number.isFinite(model.bias)) {
        throw new Error(`sample model must have ${FEATURE_COUNT} named features with finite weights and bias`);
    }
    return model;
}

export function sampleScore(model: SampleModel, x: readonly number[]): number {
    const z = model.weights.reduce((sum, w, i) => sum + w * x[i], model.bias);
    return 1 / (1 + Math.exp(-z));
}

export const SAMPLE_MODEL_PATH = path.resolve(__dirname, "..", "..", "tests", "fixtures", "model", "sample-model.json");

export function loadSampleModel(file = SAMPLE_MODEL_PATH): SampleModel {
    return checkSampleModel(JSON.parse(fs.readFileSync(file, "utf8")));
}
