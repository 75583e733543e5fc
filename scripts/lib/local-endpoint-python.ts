/**
 * The Python that runs the model locally: one with scikit-learn 1.2 (the serving image's minor
 * version) and joblib. Resolved once: MDETECT_PYTHON if set, else Debian's /usr/bin/python3
 * (python3-sklearn 1.2.1, installed by scripts/ensure-python.sh), else python3 on PATH. Never a
 * bare `python3` first: on developer machines that is often a pyenv without scikit-learn.
 */
import { spawn, spawnSync } from "child_process";
import * as path from "path";

/** Image sagemaker-scikit-learn:1.2-1 runs scikit-learn 1.2.x; pickles only load reliably in the same minor. */
export const SERVING_SKLEARN_MINOR = "1.2";
/** The Python side: model/ at the repository root (inference.py, train.py, package.py, serve.py). */
export const MODEL_DIR = path.resolve(__dirname, "..", "..", "model");

export type PythonProbe =
    | { readonly ok: true; readonly python: string; readonly sklearn: string }
    | { readonly ok: false; readonly reason: string };

const PROBE = "import sklearn, joblib, numpy; print(sklearn.__version__)";
let cached: PythonProbe | undefined;

function probe(python: string): PythonProbe {
    const run = spawnSync(python, ["-c", PROBE], { encoding: "utf8", timeout: 60_000 });
    if (run.error) return { ok: false, reason: `${python}: ${(run.error as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : run.error.message}` };
    if (run.status !== 0) return { ok: false, reason: `${python}: no scikit-learn/joblib (${(run.stderr.trim().split("\n").pop() ?? "").slice(0, 120)})` };
    const version = run.stdout.trim();
    if (!version.startsWith(`${SERVING_SKLEARN_MINOR}.`)) return { ok: false, reason: `${python}: scikit-learn ${version}, the serving image runs ${SERVING_SKLEARN_MINOR}.x` };
    return { ok: true, python, sklearn: version };
}

/** The first usable interpreter, or every candidate's reason why not. */
export function modelPython(): PythonProbe {
    if (cached) return cached;
    const explicit = process.env.MDETECT_PYTHON;
    const candidates = explicit ? [explicit] : ["/usr/bin/python3", "python3"];
    const reasons: string[] = [];
    for (const candidate of candidates) {
        const result = probe(candidate);
        if (result.ok) return (cached = result);
        reasons.push(result.reason);
    }
    return (cached = { ok: false, reason: `no Python with scikit-learn ${SERVING_SKLEARN_MINOR} (${reasons.join("; ")}); run scripts/ensure-python.sh as root or set MDETECT_PYTHON` });
}

export function requireModelPython(): string {
    const found = modelPython();
    if (!found.ok) throw new Error(found.reason);
    return found.python;
}

export interface ScriptResult {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs model/<script> under the model Python, asynchronously (tests and commands stay responsive). */
export function runModelScript(script: string, args: readonly string[]): Promise<ScriptResult> {
    const python = requireModelPython();
    return new Promise((resolve, reject) => {
        const child = spawn(python, [path.join(MODEL_DIR, script), ...args], { stdio: ["ignore", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (b: Buffer) => out.push(b));
        child.stderr.on("data", (b: Buffer) => err.push(b));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status: status ?? 1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
    });
}
