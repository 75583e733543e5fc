/**
 * Wall time and peak RSS of one command in a fresh process, for the benchmarks that compare
 * whole CLI runs (scripts/bench/main-job.ts, scripts/bench/test-files.ts). GNU time reports the
 * child's own maximum RSS (getrusage of the waited-for process), which Node cannot read for a
 * child.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const GNU_TIME = "/usr/bin/time";

export interface Timed {
    readonly seconds: number;
    readonly maxRssMb: number;
    readonly exitCode: number;
    /** 1-minute load average before and after: the figures mean little without it. */
    readonly load: [number, number];
}

const load1 = (): number => os.loadavg()[0];

export async function timed(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Timed> {
    if (!fs.existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is needed for peak RSS (apt-get install -y time)`);
    const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-bench-")), "time.txt");
    const before = load1();
    const child = spawn(GNU_TIME, ["-f", "%e %M", "-o", report, command, ...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: "ignore" });
    const exitCode = await new Promise<number>((resolve, reject) => {
        child.on("error", reject);
        child.on("close", (code) => resolve(code ?? 1));
    });
    // GNU time writes "Command exited with non-zero status N" before the figures on failure.
    const [seconds, rssKb] = fs.readFileSync(report, "utf8").trim().split("\n").at(-1)!.split(" ").map(Number);
    fs.rmSync(path.dirname(report), { recursive: true, force: true });
    return { seconds, maxRssMb: rssKb / 1024, exitCode, load: [before, load1()] };
}

export const fmtLoad = (t: Timed): string => `load ${t.load[0].toFixed(1)} -> ${t.load[1].toFixed(1)}`;

/** A checkout to compare against (MDETECT_BENCH_BASELINE: e.g. `git worktree add /tmp/base main` with node_modules linked). */
export function baselineDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const dir = env.MDETECT_BENCH_BASELINE;
    if (!dir) return undefined;
    if (!fs.existsSync(path.join(dir, "bin", "mdetect.js"))) throw new Error(`MDETECT_BENCH_BASELINE: no bin/mdetect.js in ${dir}`);
    return path.resolve(dir);
}
