/**
 * Baseline of the conversion benchmark: the bare Node loop a converter cannot beat by much -
 * readline, JSON.parse, the CSV columns joined with ",", written in batches with backpressure.
 * No validation, no quoting, no duplicate check, no quarantine, plain CSV. Prints its counts and
 * peak RSS as JSON, like bench-convert-child. It reads at its own best size, fs's default 64 KiB:
 * readline decodes each chunk into one string, and a 256 KiB chunk's string (the converter's read
 * size, INPUT_CHUNK_BYTES) lands in V8's large-object space, which took this loop 1.5x as long
 * (docs/benchmarks.md); it writes the converter's batches of CSV_ROW_BATCH rows (2,000 took 1.2x as long).
 * A baseline slowed by its read or write size would flatter the converter.
 */
import * as fs from "fs";
import { once } from "events";
import * as readline from "readline";
import { CSV_COLUMNS } from "../../functions/telemetry/contract";
import { CSV_ROW_BATCH } from "../../functions/telemetry/limits";

async function main(): Promise<void> {
    const [file, csvOut] = process.argv.slice(2);
    const started = process.hrtime.bigint();
    const out = fs.createWriteStream(csvOut);
    out.write(CSV_COLUMNS.join(",") + "\n");
    let rows: string[] = [];
    let rowsOut = 0;
    for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) {
        if (line === "") continue;
        const value = JSON.parse(line) as Record<string, unknown>;
        rows.push(CSV_COLUMNS.map((c) => value[c]).join(","));
        rowsOut++;
        if (rows.length >= CSV_ROW_BATCH) {
            if (!out.write(rows.join("\n") + "\n")) await once(out, "drain");
            rows = [];
        }
    }
    if (rows.length > 0) out.write(rows.join("\n") + "\n");
    out.end();
    await once(out, "finish");
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(JSON.stringify({ rowsIn: rowsOut, rowsOut, seconds, maxRssKb: process.resourceUsage().maxRSS }));
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
