/** A freshly trained and packaged example model, once per test process (small: a few seconds). */
import * as fs from "fs";
import * as path from "path";
import { packageModel, scratchDir, trainModel } from "../../scripts/commands/model";
import { modelPython } from "../../scripts/lib/local-endpoint-python";

/** Enough generated readings for a model that separates the anomaly kinds; small enough to fit in seconds. */
const TRAINING_ROWS = 3_000;

let trained: Promise<{ dir: string; joblib: string; artifact: string }> | undefined;

export function trainedArtifact(): Promise<{ dir: string; joblib: string; artifact: string }> {
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

/** Skips the suite, printing why, where no Python with scikit-learn 1.2 exists (scripts/ensure-python.sh says the same). */
export function skipWithoutPython(ctx: Mocha.Context): void {
    const python = modelPython();
    if (!python.ok) {
        console.log(`    [skipped] ${python.reason}`);
        ctx.skip();
    }
}
