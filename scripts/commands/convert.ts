/**
 * `mdetect convert <files...> --out <dir>`: the batch conversion run locally (field engineers use
 * it on SD-card dumps). Per input it writes <out>/<name>.csv.gz, <name>.quarantine.ndjson and
 * <name>.manifest.json and prints the counts. Exit code 1 when any input could not be opened or
 * not be read to its end (the others are still converted), 2 on a usage error; quarantined
 * readings alone are not a failure.
 */
import * as fs from "fs";
import * as path from "path";
import { pipeline } from "stream/promises";
import { createGzip } from "zlib";
import { convertStream, CSV_GZIP_CHUNK_BYTES, CSV_GZIP_LEVEL, Manifest } from "../../functions/telemetry";
import { parseArgs } from "../lib/args";

export const description = "convert telemetry files (JSON array or NDJSON, optionally gzip) to curated CSV locally";

const USAGE = "usage: mdetect convert <files...> --out <dir>";
/** Input extensions dropped to name the outputs: dump.ndjson.gz -> dump.csv.gz. */
const INPUT_EXTENSIONS = /(\.(ndjson|jsonl|json))?(\.gz)?$/i;

export function outputName(file: string): string {
    return path.basename(file).replace(INPUT_EXTENSIONS, "") || path.basename(file);
}

function summary(file: string, m: Manifest): string {
    const reasons = Object.entries(m.reasons).map(([kind, n]) => `${kind} ${n}`).join(", ");
    return `${file}: ${m.rowsIn} readings in, ${m.rowsOut} written, ${m.rowsQuarantined} quarantined${reasons ? ` (${reasons})` : ""}`;
}

/** Opens the input first so a missing file, a directory or a permission problem is reported plainly. */
async function openInput(file: string): Promise<fs.ReadStream> {
    const handle = await fs.promises.open(file, "r");
    const stat = await handle.stat();
    if (stat.isDirectory()) {
        await handle.close();
        throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    }
    return handle.createReadStream();
}

/** Plain words for why an input could not be opened. */
export function explain(err: unknown): string {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "no such file";
    if (code === "EACCES" || code === "EPERM") return "permission denied";
    if (code === "EISDIR") return "is a directory";
    return err instanceof Error ? err.message : String(err);
}

async function convertFile(file: string, outDir: string, name: string): Promise<Manifest> {
    const input = await openInput(file);
    const gzip = createGzip({ level: CSV_GZIP_LEVEL, chunkSize: CSV_GZIP_CHUNK_BYTES });
    const csvDone = pipeline(gzip, fs.createWriteStream(path.join(outDir, `${name}.csv.gz`)));
    const quarantine = fs.createWriteStream(path.join(outDir, `${name}.quarantine.ndjson`));
    const manifest = await convertStream({ input, sourceKey: file, curated: gzip, quarantine });
    await csvDone;
    await fs.promises.writeFile(path.join(outDir, `${name}.manifest.json`), JSON.stringify(manifest, null, 2) + "\n");
    return manifest;
}

export async function run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, { out: "string" });
    const outDir = args.out as string | undefined;
    if (!outDir || args.positionals.length === 0) {
        console.error(USAGE);
        return 2;
    }
    await fs.promises.mkdir(outDir, { recursive: true });
    let status = 0;
    const names = new Map<string, string>();
    for (const file of args.positionals) {
        const name = outputName(file);
        const clash = names.get(name);
        if (clash !== undefined) {
            console.error(`mdetect convert: ${file}: skipped, its outputs would overwrite those of ${clash} (same name '${name}')`);
            status = 1;
            continue;
        }
        names.set(name, file);
        try {
            const manifest = await convertFile(file, outDir, name);
            console.log(`${summary(file, manifest)} -> ${path.join(outDir, name)}.csv.gz`);
            if (manifest.error) {
                console.error(`mdetect convert: ${file}: ${manifest.error.reason}${manifest.complete ? "" : " (the unreadable remainder is one quarantine entry)"}`);
            }
            if (!manifest.complete) status = 1;
        } catch (err) {
            console.error(`mdetect convert: cannot read ${file}: ${explain(err)}`);
            status = 1;
        }
    }
    return status;
}
