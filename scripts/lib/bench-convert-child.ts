/**
 * Child process of the conversion benchmark: converts one file with convertStream exactly as the
 * batch Lambda and `mdetect convert` do (optionally gzipping the CSV) and prints its counts and peak RSS as JSON.
 * Run in its own process so that peak RSS belongs to this one conversion.
 */
import * as fs from "fs";
import { pipeline } from "stream/promises";
import { convertStream, createCuratedGzip, INPUT_CHUNK_BYTES } from "../../functions/telemetry";

async function main(): Promise<void> {
    const [file, csvOut, gzip] = process.argv.slice(2);
    const started = process.hrtime.bigint();
    const curated = gzip === "gzip" ? createCuratedGzip() : fs.createWriteStream(csvOut);
    const written = gzip === "gzip" ? pipeline(curated as NodeJS.ReadableStream, fs.createWriteStream(csvOut)) : Promise.resolve();
    const manifest = await convertStream({
        input: fs.createReadStream(file, { highWaterMark: INPUT_CHUNK_BYTES }), // as `mdetect convert` reads
        sourceKey: file,
        curated,
        quarantine: fs.createWriteStream(`${csvOut}.quarantine.ndjson`),
    });
    await written;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(JSON.stringify({ rowsIn: manifest.rowsIn, rowsOut: manifest.rowsOut, seconds, maxRssKb: process.resourceUsage().maxRSS }));
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
