/**
 * `mdetect bench [names...]` (`npm run bench`): runs every benchmark module in scripts/bench/
 * (or only those named) and prints its figures. Speed and memory are measured here, never in
 * tests. Exit code 1 when a benchmark misses its target.
 */
import * as fs from "fs";
import * as path from "path";
import { BenchModule } from "../lib/bench";

export const description = "run the benchmarks in scripts/bench/ (conversion throughput and memory vs pandas)";

const BENCH_DIR = path.join(__dirname, "..", "bench");

export async function run(argv: string[]): Promise<number> {
    const available = fs.readdirSync(BENCH_DIR).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
    const unknown = argv.filter((name) => !available.includes(name));
    if (unknown.length > 0) {
        console.error(`mdetect bench: unknown benchmark ${unknown.join(", ")} (available: ${available.join(", ")})`);
        return 2;
    }
    let status = 0;
    for (const file of argv.length > 0 ? argv : available) {
        const bench: BenchModule = require(path.join(BENCH_DIR, file));
        console.log(`== ${bench.name}`);
        const result = await bench.run();
        for (const line of result.lines) console.log(`   ${line}`);
        if (!result.targetsMet) status = 1;
    }
    return status;
}
