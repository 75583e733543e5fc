/** A freshly trained and packaged example model, once per test process (small: a few seconds). */
import { trainedModel } from "../../scripts/lib/local/model";
import { modelPython } from "../../scripts/lib/local-endpoint-python";

/** The local cloud's trainer (scripts/lib/local/model.ts): one training per process, shared with it. */
export const trainedArtifact = trainedModel;

/** Skips the suite, printing why, where no Python with scikit-learn 1.2 exists (scripts/ensure-python.sh says the same). */
export function skipWithoutPython(ctx: Mocha.Context): void {
    const python = modelPython();
    if (!python.ok) {
        console.log(`    [skipped] ${python.reason}`);
        ctx.skip();
    }
}
