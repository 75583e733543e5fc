/**
 * Baseline of the conversion benchmark: the bare Node loop a converter cannot beat by much -
 * readline, JSON.parse, the CSV columns joined with ",", written in batches with backpressure.
 * No validation, no quoting, no duplicate check, no quarantine, plain CSV. Prints its counts and
 * peak RSS as JSON, like bench-convert-child. It reads with the converter's chunk size, so the
 * ratio compares the conversion, not the read size.
 */
import * as fs from "fs";
import { once } from "events";
import * as readline from "readline";
import { CSV_COLUMNS } from "../../functions/telemetry/contract";
import { INPUT_CHUNK_BYTES } from "../../functions/telemetry/limits";

const BATCH = 2000;

async function main(): Promise<void> {
    const [file, csvOut] = process.argv.slice(2);
    const started = process.hrtime.bigint();
    const out = fs.createWriteStream(csvOut);
    out.write(CSV_COLUMNS.join(",") + "\n");
    let rows: string[] = [];
    let rowsOut = 0;
    for await (const line of readline.createInterface({ input: fs.createReadStream(file, { highWaterMark: INPUT_CHUNK_BYTES }), crlfDelay: Infinity })) {
        if (line === "") continue;
        const value = JSON.parse(line) as Record<string, unknown>;
        rows.push(CSV_COLUMNS.map((c) => value[c]).join(","));
        rowsOut++;
        if (rows.length >= BATCH) {
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
