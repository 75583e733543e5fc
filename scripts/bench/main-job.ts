/**
 * The main job (issue 19): `npm start` (`mdetect preview`: offline plan, policy, cost, diagram) and
 * `mdetect cost --detectors 1000`, each in a fresh process, wall time and peak RSS, in interleaved
 * rounds of:
 * - cold: this checkout with an empty closure cache (a fresh clone's first run);
 * - warm: this checkout again, the cache the cold run left (every run after);
 * - baseline: the same command in another checkout when MDETECT_BENCH_BASELINE names one, so
 *   before/after is a ratio measured side by side under the same load.
 * Targets: warm `npm start` <= 10 s, warm `cost --detectors 1000` <= 8 s, on a quiet machine; under
 * load (1-minute average above QUIET_LOAD) the absolute targets are reported, not judged.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BenchResult } from "../lib/bench";
import { baselineDir, fmtLoad, timed, Timed } from "../lib/bench-timed";

export const name = "main job: npm start and mdetect cost --detectors 1000, cold and warm closure cache, vs a baseline checkout";

const REPO = path.join(__dirname, "..", "..");
const RUNS = Number(process.env.MDETECT_BENCH_RUNS ?? 1);
/** Above this 1-minute load average on 2 cores the machine is not quiet: absolute targets are not judged. */
const QUIET_LOAD = 2;

const JOBS = [
    { label: "npm start (mdetect preview)", args: ["preview"], targetSeconds: 10 },
    { label: "mdetect cost --detectors 1000", args: ["cost", "--detectors", "1000"], targetSeconds: 8 },
] as const;

type Variant = "baseline" | "cold" | "warm";

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

export async function run(): Promise<BenchResult> {
    const baseline = baselineDir();
    const lines: string[] = [];
    let targetsMet = true;
    for (const job of JOBS) {
        const results: Record<Variant, Timed[]> = { baseline: [], cold: [], warm: [] };
        for (let round = 0; round < RUNS; round++) {
            const cache = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-bench-closures-"));
            const env = { ...process.env, MDETECT_CLOSURE_CACHE: cache, COLUMNS: "100" };
            if (baseline) results.baseline.push(await timed(process.execPath, [path.join(baseline, "bin", "mdetect.js"), ...job.args], { cwd: baseline, env }));
            results.cold.push(await timed(process.execPath, [path.join(REPO, "bin", "mdetect.js"), ...job.args], { cwd: REPO, env }));
            results.warm.push(await timed(process.execPath, [path.join(REPO, "bin", "mdetect.js"), ...job.args], { cwd: REPO, env }));
            fs.rmSync(cache, { recursive: true, force: true });
        }
        const wall = (v: Variant) => median(results[v].map((t) => t.seconds));
        const rss = (v: Variant) => median(results[v].map((t) => t.maxRssMb));
        lines.push(`${job.label} (median of ${RUNS}):`);
        for (const v of ["baseline", "cold", "warm"] as Variant[]) {
            if (results[v].length === 0) continue;
            const failed = results[v].filter((t) => t.exitCode !== 0);
            if (failed.length) targetsMet = false;
            lines.push(`  ${v.padEnd(8)} ${wall(v).toFixed(1).padStart(6)} s  ${rss(v).toFixed(0).padStart(5)} MB peak  (${results[v].map(fmtLoad).join("; ")})${failed.length ? `  EXIT ${failed.map((t) => t.exitCode).join(",")}` : ""}`);
        }
        if (baseline) lines.push(`  warm / baseline: ${(wall("warm") / wall("baseline")).toFixed(2)}x wall, ${(rss("warm") / rss("baseline")).toFixed(2)}x RSS; cold / baseline: ${(wall("cold") / wall("baseline")).toFixed(2)}x wall`);
        const quiet = results.warm.every((t) => Math.max(...t.load) <= QUIET_LOAD);
        const met = wall("warm") <= job.targetSeconds;
        if (quiet && !met) targetsMet = false;
        lines.push(`  target warm <= ${job.targetSeconds} s: ${quiet ? (met ? "met" : "MISSED") : `not judged (load above ${QUIET_LOAD}); ${met ? "met even so" : "over"}`}`);
    }
    return { lines, targetsMet };
}
