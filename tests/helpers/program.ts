/**
 * Test access to the Pulumi program under mocks: one cached run per distinct config, lookups
 * by type, and the serialized Lambda code loaded in a fresh module context.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runProgram, ProgramRun, PlannedResource, RunOptions, ROOT } from "../../scripts/lib/mock-run";
import { allowTime } from "./current-test";

/**
 * The timeout for a hook or test that waits for a program run (each gets it by asking for a run not
 * yet made: current-test.ts): a cold run (closure cache empty, as on a clean clone) serializes every Lambda and took over 300 s on this 2-core machine at load 7,
 * and runs queue behind each other (the mock runtime is global). Generous, since a hook that times
 * out fails every test of its suite.
 */
export const PROGRAM_RUN_TIMEOUT_MS = 900_000;

const cache = new Map<string, Promise<ProgramRun>>();
/** Runs that have finished (a test asking for one of them waits for nothing). */
const finished = new WeakSet<Promise<ProgramRun>>();
let queue: Promise<unknown> = Promise.resolve();

/** A run of its own (not shared), after the runs already asked for: the mock runtime is global. */
export function programWith(options: RunOptions): Promise<ProgramRun> {
    allowTime(PROGRAM_RUN_TIMEOUT_MS);
    const run = queue.then(() => runProgram(options));
    queue = run.catch(() => undefined);
    return run;
}

/**
 * The program's resources for `stack` with `config` overrides: one run per distinct
 * configuration for the whole test process, shared by every test file that asks for it
 * (mocha loads all files into one process). Serialized Lambdas come from the on-disk closure
 * cache (scripts/lib/closure-cache.ts), so a configuration another process ran is cheap too.
 */
export function program(config: Record<string, unknown> = {}, stack = "dev"): Promise<ProgramRun> {
    const key = JSON.stringify([stack, config]);
    let run = cache.get(key);
    if (!run) {
        const started = programWith({ stack, config });
        started.then(() => finished.add(started), () => finished.add(started));
        cache.set(key, run = started);
    } else if (!finished.has(run)) {
        allowTime(PROGRAM_RUN_TIMEOUT_MS);
    }
    return run;
}

export function ofType(run: ProgramRun, type: string): PlannedResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function one(run: ProgramRun, type: string, nameIncludes = ""): PlannedResource {
    const found = ofType(run, type).filter((r) => r.name.includes(nameIncludes));
    if (found.length !== 1) {
        throw new Error(`expected one ${type} named *${nameIncludes}*, found ${found.map((r) => r.name).join(", ") || "none"}`);
    }
    return found[0];
}

/** Children (direct or nested) of the component `type::name`. */
export function childrenOf(run: ProgramRun, parent: string): PlannedResource[] {
    const direct = run.resources.filter((r) => r.parent === parent);
    return direct.flatMap((r) => [r, ...childrenOf(run, `${r.type}::${r.name}`)]);
}

/** Parses a JSON policy input (string or object). */
export function policyDoc(value: unknown): { Statement: any[] } {
    return typeof value === "string" ? JSON.parse(value) : (value as { Statement: any[] });
}

/**
 * Writes the CallbackFunction's serialized `__index.js` into a fresh directory (with only the
 * packages its zip holds) and loads it: proof the closure is self-contained, no repo source needed.
 */
export async function loadSerializedHandler(fn: PlannedResource): Promise<(event: any, context?: any) => Promise<any>> {
    const assets = await fn.inputs.code.assets;
    const text: string = await assets["__index.js"].text;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-handler-"));
    // Only the packages the zip carries are linked: a missing dependency fails here as it would in Lambda.
    for (const entry of Object.keys(assets).filter((k) => k.startsWith("node_modules/"))) {
        fs.mkdirSync(path.dirname(path.join(dir, entry)), { recursive: true });
        fs.symlinkSync(path.join(ROOT, entry), path.join(dir, entry), "dir");
    }
    const file = path.join(dir, "index.js");
    fs.writeFileSync(file, text);
    const handler = require(file).handler;
    return (event, context = {}) => Promise.resolve(handler(event, context));
}
