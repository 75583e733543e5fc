/**
 * `mdetect bench [names...]` (`npm run bench`): runs every benchmark module in scripts/bench/
 * (or only those named) and prints its figures. Speed and memory are measured here, never in
 * tests. Exit code 1 when a benchmark misses its target.
 */
import * as fs from "fs";
import * as path from "path";
import { BenchModule } from "../lib/bench";
import { Command, action, examples } from "../lib/cli";

const BENCH_DIR = path.join(__dirname, "..", "bench");

async function run(names: string[]): Promise<number> {
    const available = fs.readdirSync(BENCH_DIR).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
    const unknown = names.filter((name) => !available.includes(name));
    if (unknown.length > 0) {
        console.error(`mdetect bench: unknown benchmark ${unknown.join(", ")} (available: ${available.join(", ")})`);
        return 2;
    }
    let status = 0;
    for (const file of names.length > 0 ? names : available) {
        const bench: BenchModule = require(path.join(BENCH_DIR, file));
        console.log(`== ${bench.name}`);
        const result = await bench.run();
        for (const line of result.lines) console.log(`   ${line}`);
        if (!result.targetsMet) status = 1;
    }
    return status;
}

export function command(): Command {
    const cmd = new Command("bench")
        .description("run the benchmarks in scripts/bench/ (conversion throughput and memory vs pandas)")
        .argument("[names...]", "benchmarks to run (file names in scripts/bench/ without .ts); all by default");
    examples(cmd, ["npm run bench", "mdetect bench convert"]);
    return action(cmd, run);
}
