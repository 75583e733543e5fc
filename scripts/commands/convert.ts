/**
 * `mdetect convert <inputs...> --out <dir>`: the batch conversion run locally (field engineers use
 * it on SD-card dumps). An input is a file, a directory (its telemetry files, recursively) or `-`
 * (stdin). Per input it writes <out>/<name>.csv.gz, <name>.manifest.json and, when anything was
 * quarantined, <name>.quarantine.ndjson, and prints the counts. On a terminal a progress line on
 * stderr shows bytes, readings, rate and ETA. Exit code 1 when any input could not be opened or
 * not be read to its end (the others are still converted), 2 on a usage error; quarantined
 * readings alone are not a failure.
 */
import * as fs from "fs";
import * as path from "path";
import { pipeline } from "stream/promises";
import { convertStream, createCuratedGzip, INPUT_CHUNK_BYTES, Manifest } from "../../functions/telemetry";
import { Command, action, examples } from "../lib/cli";
import { ProgressLine } from "../lib/progress";

/** Input extensions dropped to name the outputs: dump.ndjson.gz -> dump.csv.gz. */
const INPUT_EXTENSIONS = /(\.(ndjson|jsonl|json))?(\.gz)?$/i;
/** What a directory contributes: telemetry files by extension (outputs of a previous run excluded). */
const TELEMETRY_FILE = /\.(ndjson|jsonl|json)(\.gz)?$/i;
const OUTPUT_FILE = /\.(manifest|quarantine)\.(json|ndjson)$/i;
const STDIN = "-";
/** Outputs of stdin are named after this. */
const STDIN_NAME = "stdin";

export function outputName(file: string): string {
    if (file === STDIN) return STDIN_NAME;
    return path.basename(file).replace(INPUT_EXTENSIONS, "") || path.basename(file);
}

function summary(file: string, m: Manifest): string {
    const reasons = Object.entries(m.reasons).map(([kind, n]) => `${kind} ${n}`).join(", ");
    return `${file}: ${m.rowsIn} readings in, ${m.rowsOut} written, ${m.rowsQuarantined} quarantined${reasons ? ` (${reasons})` : ""}`;
}

/** Opens the input first so a missing file or a permission problem is reported plainly. */
async function openInput(file: string): Promise<{ input: NodeJS.ReadableStream; size?: number }> {
    if (file === STDIN) return { input: process.stdin };
    const handle = await fs.promises.open(file, "r");
    const stat = await handle.stat();
    return { input: handle.createReadStream({ highWaterMark: INPUT_CHUNK_BYTES }), size: stat.size };
}

/** Plain words for why an input could not be opened. */
export function explain(err: unknown): string {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "no such file";
    if (code === "EACCES" || code === "EPERM") return "permission denied";
    if (code === "EISDIR") return "is a directory";
    return err instanceof Error ? err.message : String(err);
}

/** The telemetry files under a directory, sorted, so a dump folder converts in one call. */
export function filesIn(dir: string): string[] {
    return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((e) => e.isFile() && TELEMETRY_FILE.test(e.name) && !OUTPUT_FILE.test(e.name))
        .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
        .sort();
}

/** Inputs as given, directories expanded; a directory without telemetry files is an error of its own. */
function expand(inputs: string[]): { files: string[]; errors: string[] } {
    const files: string[] = [];
    const errors: string[] = [];
    for (const input of inputs) {
        if (input !== STDIN && fs.statSync(input, { throwIfNoEntry: false })?.isDirectory()) {
            const found = filesIn(input);
            if (found.length === 0) errors.push(`${input}: no telemetry files (*.ndjson, *.jsonl, *.json, optionally .gz) in this directory`);
            files.push(...found);
        } else {
            files.push(input);
        }
    }
    return { files, errors };
}

async function convertFile(file: string, outDir: string, name: string): Promise<Manifest> {
    const { input, size } = await openInput(file);
    const gzip = createCuratedGzip();
    const csvDone = pipeline(gzip, fs.createWriteStream(path.join(outDir, `${name}.csv.gz`)));
    const quarantinePath = path.join(outDir, `${name}.quarantine.ndjson`);
    const quarantine = fs.createWriteStream(quarantinePath);
    const progress = process.stderr.isTTY ? new ProgressLine(process.stderr, file, size) : undefined;
    try {
        const manifest = await convertStream({ input, sourceKey: file, curated: gzip, quarantine, onProgress: progress && ((p) => progress.update(p)) });
        await csvDone;
        // An empty quarantine file would read as "something to look at"; a stale one from an earlier run too.
        if (manifest.rowsQuarantined === 0) await fs.promises.rm(quarantinePath, { force: true });
        await fs.promises.writeFile(path.join(outDir, `${name}.manifest.json`), JSON.stringify(manifest, null, 2) + "\n");
        return manifest;
    } finally {
        progress?.clear();
    }
}

async function run(inputs: string[], opts: { out: string }): Promise<number> {
    const { files, errors } = expand(inputs);
    let status = 0;
    for (const message of errors) {
        console.error(`mdetect convert: ${message}`);
        status = 1;
    }
    if (files.filter((f) => f === STDIN).length > 1) {
        console.error("mdetect convert: '-' (stdin) can be given only once");
        return 2;
    }
    await fs.promises.mkdir(opts.out, { recursive: true });
    const names = new Map<string, string>();
    for (const file of files) {
        const name = outputName(file);
        const clash = names.get(name);
        if (clash !== undefined) {
            console.error(`mdetect convert: ${file}: skipped, its outputs would overwrite those of ${clash} (same name '${name}')`);
            status = 1;
            continue;
        }
        names.set(name, file);
        try {
            const manifest = await convertFile(file, opts.out, name);
            console.log(`${summary(file, manifest)} -> ${path.join(opts.out, name)}.csv.gz`);
            if (manifest.error) {
                const whole = manifest.error.kind === "wrong-encoding";
                console.error(`mdetect convert: ${file}: ${manifest.error.reason}${whole ? "" : manifest.complete ? "" : " (the unreadable remainder is one quarantine entry)"}`);
            }
            if (!manifest.complete) status = 1;
        } catch (err) {
            console.error(`mdetect convert: cannot read ${file}: ${explain(err)}`);
            status = 1;
        }
    }
    return status;
}

export function command(): Command {
    const cmd = new Command("convert")
        .description("convert telemetry files (JSON array or NDJSON, optionally gzip) to curated CSV locally")
        .usage("<inputs...> --out <dir>")
        .argument("<inputs...>", "telemetry files, directories of them (searched recursively) or - for stdin")
        .requiredOption("-o, --out <dir>", "directory for <name>.csv.gz, <name>.manifest.json and <name>.quarantine.ndjson (only when readings were quarantined)")
        .addHelpText("after", "\nA progress line (bytes, readings, rate, ETA) is shown on stderr when it is a terminal.\nExit status: 0 converted (quarantined readings included), 1 an input unreadable or incomplete, 2 usage error.");
    examples(cmd, [
        "mdetect convert sd-card/site7.ndjson.gz --out converted/",
        "mdetect convert sd-card/ --out converted/",
        "gunzip -c dump.ndjson.gz | mdetect convert - --out converted/",
    ]);
    return action(cmd, run);
}
