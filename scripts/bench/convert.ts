/**
 * Conversion benchmark: generates an NDJSON file of realistic readings (>= 100 MiB, cached in
 * bench-data/), converts it with convertStream in a child process, and converts the same file the
 * way mDetect did before (pandas read_json(lines=True) then to_csv, Debian python3-pandas), printing
 * throughput and peak RSS of both, with a bare Node loop (readline + JSON.parse + join, no validation)
 * as the ceiling. Targets (issue 19): >= 5x pandas, >= 0.85x the bare loop, peak RSS < 150 MB.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { once } from "events";
import { CSV_COLUMNS } from "../../functions/telemetry";
import { BenchResult } from "../lib/bench";

export const name = "convert: NDJSON -> curated CSV, convertStream vs pandas";

const REPO = path.join(__dirname, "..", "..");
const DATA_DIR = path.join(REPO, "bench-data");
/** Issue 2: at least 100 MB. Override with MDETECT_BENCH_MIB for bigger runs. */
const FILE_MIB = Number(process.env.MDETECT_BENCH_MIB ?? 128);
const RUNS = Number(process.env.MDETECT_BENCH_RUNS ?? 3);
const DETECTORS = 200;
const TARGET_SPEEDUP = 5;
/** Issue 19: validation, quoting and quarantine may cost at most 15% over the bare loop. */
const TARGET_OF_BARE_LOOP = 0.85;
const TARGET_RSS_MB = 150;
/** Debian's python3-pandas, not whatever python3 is first on PATH. */
const PYTHON = "/usr/bin/python3";
const PANDAS_SCRIPT = `
import resource, sys, time
import pandas as pd
src, out, cols = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
t = time.perf_counter()
df = pd.read_json(src, lines=True)
df[cols].to_csv(out, index=False)
print('{"rowsOut": %d, "seconds": %f, "maxRssKb": %d}' % (len(df), time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
`;

const round = (x: number, places: number): number => Math.round(x * 10 ** places) / 10 ** places;

/** Seeded generator so every run benchmarks the same bytes. */
function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
        s = (s * 1664525 + 1013904223) >>> 0;
        return s / 2 ** 32;
    };
}

async function generate(file: string, bytes: number): Promise<number> {
    const random = rng(42);
    const sites = Array.from({ length: DETECTORS }, (_, i) => ({
        id: `MD-${String(i + 1).padStart(4, "0")}`,
        zenith: round(random() * 60, 1),
        azimuth: round(random() * 359.9, 1),
        lat: round(-44 + random() * 34, 5),
        lon: round(113 + random() * 40, 5),
        depth: round(random() < 0.3 ? random() * 1500 : 0, 1),
    }));
    const out = fs.createWriteStream(file);
    const start = Date.UTC(2024, 4, 1);
    let written = 0;
    let readings = 0;
    for (let second = 0; written < bytes; second++) {
        const lines: string[] = [];
        const timestamp = new Date(start + second * 1000).toISOString();
        for (const site of sites) {
            const muons = Math.max(0, Math.round(170 + (random() - 0.5) * 50));
            lines.push(JSON.stringify({
                detector_id: site.id, timestamp, seq: second, muon_count: muons,
                coincidence_count: Math.round(muons * 0.05 * random()), live_time_s: round(0.97 + random() * 0.03, 4),
                zenith_deg: site.zenith, azimuth_deg: site.azimuth, pressure_hpa: round(1013 + (random() - 0.5) * 20 + site.depth * 0.12, 1),
                temperature_c: round(18 + random() * 8, 2), humidity_pct: round(35 + random() * 30, 1), sipm_bias_v: round(29 + random() * 0.2, 3),
                battery_v: round(12.4 + random() * 0.6, 2), latitude: site.lat, longitude: site.lon, depth_m: site.depth,
            }));
        }
        const block = lines.join("\n") + "\n";
        written += Buffer.byteLength(block);
        readings += lines.length;
        if (!out.write(block)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
    return readings;
}

interface Measured { seconds: number; wallSeconds: number; maxRssKb: number; rowsOut: number }

async function measure(command: string, args: string[]): Promise<Measured> {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const [code] = await once(child, "exit");
    if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${code}`);
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { ...JSON.parse(stdout.trim().split("\n").pop()!), wallSeconds };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Method { label: string; command: string; args: string[] }
interface Summary { label: string; wall: number; inner: number; rss: number; rows: number }

/** Rounds run every method once, so that load from other processes hits all methods alike. */
async function interleaved(methods: Method[]): Promise<Summary[]> {
    const results: Measured[][] = methods.map(() => []);
    for (let round = 0; round < RUNS; round++) {
        for (const [i, m] of methods.entries()) results[i].push(await measure(m.command, m.args));
    }
    return methods.map((m, i) => ({
        label: m.label,
        wall: median(results[i].map((r) => r.wallSeconds)),
        inner: median(results[i].map((r) => r.seconds)),
        rss: Math.max(...results[i].map((r) => r.maxRssKb)) / 1024,
        rows: results[i][0].rowsOut,
    }));
}

/**
 * The child runs as one esbuild bundle, like the Lambda's serialized JavaScript, so that tsx's
 * compile-on-require is not measured. Falls back to tsx when esbuild (tsx's own dependency) is
 * not resolvable.
 */
function childCommand(name = "bench-convert-child"): string[] {
    const entry = path.join(REPO, "scripts", "lib", `${name}.ts`);
    try {
        const esbuild: typeof import("esbuild") = require("esbuild");
        const outfile = path.join(DATA_DIR, `${name}.js`);
        esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: "node", target: "node20", outfile, logLevel: "warning" });
        return [outfile];
    } catch {
        return ["--require", "tsx/cjs", entry];
    }
}

export async function run(): Promise<BenchResult> {
    fs.mkdirSync(DATA_DIR, { recursive: true });
    const file = path.join(DATA_DIR, `readings-${FILE_MIB}MiB.ndjson`);
    if (!fs.existsSync(file)) await generate(file, FILE_MIB * 1024 * 1024);
    const mb = fs.statSync(file).size / 1e6;
    const child = [...childCommand(), file];
    const csv = path.join(DATA_DIR, "out-node.csv");
    const loadBefore = os.loadavg()[0];
    const [bare, ours, oursGz, pandas] = await interleaved([
        { label: "bare loop (readline+JSON.parse+join) -> CSV", command: process.execPath, args: [...childCommand("bench-bare-loop-child"), file, path.join(DATA_DIR, "out-bare.csv")] },
        { label: "convertStream -> CSV", command: process.execPath, args: [...child, csv, "plain"] },
        { label: "convertStream -> gzip CSV (as the batch Lambda)", command: process.execPath, args: [...child, `${csv}.gz`, "gzip"] },
        { label: "pandas read_json(lines=True) + to_csv", command: PYTHON, args: ["-c", PANDAS_SCRIPT, file, path.join(DATA_DIR, "out-pandas.csv"), CSV_COLUMNS.join(",")] },
    ]);
    const rows = [bare, ours, oursGz, pandas];
    const lines = [
        `input: ${path.relative(REPO, file)}, ${mb.toFixed(1)} MB, ${ours.rows} readings; ${os.cpus().length} CPUs, load average ${loadBefore.toFixed(2)} before / ${os.loadavg()[0].toFixed(2)} after`,
        `median of ${RUNS} interleaved runs, each in a fresh process; wall time includes interpreter start-up, conv is the conversion alone`,
        `${"method".padEnd(48)} ${"wall s".padStart(7)} ${"MB/s".padStart(6)} ${"conv s".padStart(7)} ${"MB/s".padStart(6)} ${"peak RSS MB".padStart(12)}`,
        ...rows.map((r) => `${r.label.padEnd(48)} ${r.wall.toFixed(2).padStart(7)} ${(mb / r.wall).toFixed(1).padStart(6)} ${r.inner.toFixed(2).padStart(7)} ${(mb / r.inner).toFixed(1).padStart(6)} ${r.rss.toFixed(1).padStart(12)}`),
    ];
    // Judged on gzip CSV, what `mdetect convert` and the batch Lambda write (issue 19: "validation + gzip CSV").
    const speedup = pandas.wall / oursGz.wall;
    const ofBareLoop = bare.inner / oursGz.inner;
    const peak = Math.max(ours.rss, oursGz.rss);
    const rowsMatch = rows.every((r) => r.rows === pandas.rows);
    lines.push(
        `throughput vs pandas (wall): ${(pandas.wall / ours.wall).toFixed(2)}x to CSV, ${speedup.toFixed(2)}x to gzip CSV (target >= ${TARGET_SPEEDUP}x to gzip CSV)`,
        `throughput vs the bare loop (conv): ${(bare.inner / ours.inner).toFixed(2)}x to CSV, ${ofBareLoop.toFixed(2)}x to gzip CSV (target >= ${TARGET_OF_BARE_LOOP}x to gzip CSV); gzip costs ${(oursGz.inner / ours.inner).toFixed(2)}x the plain-CSV time`,
        `peak RSS of convertStream: ${peak.toFixed(1)} MB (target < ${TARGET_RSS_MB} MB); pandas ${pandas.rss.toFixed(1)} MB`,
        `rows written: convertStream ${ours.rows}, pandas ${pandas.rows}${rowsMatch ? "" : "  MISMATCH"}`,
    );
    return { lines, targetsMet: speedup >= TARGET_SPEEDUP && ofBareLoop >= TARGET_OF_BARE_LOOP && peak < TARGET_RSS_MB && rowsMatch };
}
