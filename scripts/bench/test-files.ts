/**
 * Heavy test files, each alone in a fresh mocha process (never the whole suite: the cores are
 * shared), wall time and peak RSS, in interleaved rounds of: the baseline checkout
 * (MDETECT_BENCH_BASELINE, when set), this checkout with an empty closure cache (cold: a fresh
 * clone), and this checkout again on the cache the cold run left (warm). Files with
 * MDETECT_BENCH_TEST_FILES (comma-separated); by default the ones that spawn the CLI.
 * No target of its own: the figures say which files dominate `npm test` and what the cache buys.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BenchResult } from "../lib/bench";
import { baselineDir, fmtLoad, timed, Timed } from "../lib/bench-timed";

export const name = "test files alone: baseline vs cold and warm closure cache";

const REPO = path.join(__dirname, "..", "..");
const DEFAULT_FILES = ["tests/scripts/preview.test.ts", "tests/scripts/cost.test.ts"];

function mocha(dir: string, file: string, cache: string): Promise<Timed> {
    return timed(process.execPath, [path.join(dir, "node_modules", ".bin", "mocha"), "--reporter", "dot", file], {
        cwd: dir, env: { ...process.env, MDETECT_CLOSURE_CACHE: cache },
    });
}

export async function run(): Promise<BenchResult> {
    const baseline = baselineDir();
    const files = process.env.MDETECT_BENCH_TEST_FILES?.split(",").map((f) => f.trim()).filter(Boolean) ?? DEFAULT_FILES;
    const lines: string[] = [];
    let targetsMet = true;
    for (const file of files) {
        const cache = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-bench-closures-"));
        const results: [string, Timed][] = [];
        if (baseline && fs.existsSync(path.join(baseline, file))) results.push(["baseline", await mocha(baseline, file, cache)]);
        results.push(["cold", await mocha(REPO, file, cache)]);
        results.push(["warm", await mocha(REPO, file, cache)]);
        fs.rmSync(cache, { recursive: true, force: true });
        lines.push(`${file}:`);
        for (const [variant, t] of results) {
            if (t.exitCode !== 0) targetsMet = false;
            lines.push(`  ${variant.padEnd(8)} ${t.seconds.toFixed(1).padStart(6)} s  ${t.maxRssMb.toFixed(0).padStart(5)} MB peak  (${fmtLoad(t)})${t.exitCode ? `  EXIT ${t.exitCode}` : ""}`);
        }
        const base = results.find(([v]) => v === "baseline")?.[1];
        const warm = results.find(([v]) => v === "warm")![1];
        const cold = results.find(([v]) => v === "cold")![1];
        if (base) lines.push(`  warm / baseline ${(warm.seconds / base.seconds).toFixed(2)}x, cold / baseline ${(cold.seconds / base.seconds).toFixed(2)}x`);
    }
    return { lines, targetsMet };
}
