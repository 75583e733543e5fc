/**
 * The model of the local cloud's run. The dev stack configures no `mdetect:modelArtifact`, so
 * its plan has no inference: the local cloud sets one for its run. Where a Python with
 * scikit-learn 1.2 exists, the project's example model is trained and packaged (model/train.py,
 * model/package.py: seconds) and that model.tar.gz is both the program's artifact and what the
 * local endpoint serves with its own inference.py. Elsewhere the artifact is an s3:// URI the
 * plan only names and the JSON stand-in scores (its scores are the sample model's), said once.
 */
import * as fs from "fs";
import * as path from "path";
import type { EndpointKind } from "../../../functions/inference/contract";
import { PAYLOAD_LIMIT_BYTES } from "../../../functions/inference/contract";
import { packageModel, scratchDir, trainModel } from "../../commands/model";
import { LocalEndpoint, ScoringEndpoint } from "../local-endpoint";
import { modelPython } from "../local-endpoint-python";
import { SageMakerServer } from "../stand-in-endpoint";

/** Enough generated readings for a model that separates the anomaly kinds, fitted in seconds (tests/model/trained.ts). */
const TRAINING_ROWS = 3_000;
/** What the plan names when no model can be trained here: the stand-in serves it. */
const STAND_IN_ARTIFACT = "s3://mdetect-local-stand-in/model.tar.gz";

export interface LocalModel {
    /** "model": the trained artifact under scikit-learn; "stand-in": the JSON sample model (reason says why). */
    readonly kind: "model" | "stand-in";
    readonly reason?: string;
    /** The value of mdetect:modelArtifact for the run. */
    readonly artifact: string;
    /** Serves the model as the plan's endpoint `endpointName` (a SageMaker endpoint of kind `kind`). */
    serve(endpointName: string, kind: EndpointKind): Promise<ScoringEndpoint>;
}

export interface TrainedModel { readonly dir: string; readonly joblib: string; readonly artifact: string }

let trained: Promise<TrainedModel> | undefined;

/** Trains and packages the example model once per process: its joblib and model.tar.gz (removed at exit). */
export function trainedModel(): Promise<TrainedModel> {
    trained ??= (async () => {
        const dir = scratchDir();
        process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
        const joblib = path.join(dir, "model.joblib");
        const artifact = path.join(dir, "model.tar.gz");
        await trainModel({ out: joblib, rows: TRAINING_ROWS });
        await packageModel(joblib, artifact);
        return { dir, joblib, artifact };
    })();
    return trained;
}

export async function localModel(): Promise<LocalModel> {
    const python = modelPython();
    if (python.ok) {
        const { artifact } = await trainedModel();
        return { kind: "model", artifact, serve: (endpointName, kind) => LocalEndpoint.start({ artifact, endpointName, limitBytes: PAYLOAD_LIMIT_BYTES[kind] }) };
    }
    return {
        kind: "stand-in", reason: python.reason, artifact: STAND_IN_ARTIFACT,
        serve: (endpointName, kind) => new SageMakerServer({ endpointName, limitBytes: PAYLOAD_LIMIT_BYTES[kind] }).start(),
    };
}
