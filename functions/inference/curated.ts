/**
 * Reads a curated object (gzip CSV: detector_id,timestamp,seq,<8 features>) as a stream of rows,
 * keeping the features as the exact text the converter wrote: they go to the model unchanged.
 */
import { Readable } from "stream";
import { StringDecoder } from "string_decoder";
import { createGunzip } from "zlib";
import { FEATURE_COUNT, ID_COLUMNS, isHeaderLine } from "./contract";
import { inferenceError } from "./errors";

export interface CuratedRow {
    readonly detectorId: string;
    readonly timestamp: string;
    readonly seq: string;
    /** The 8 feature fields, comma-separated, as one line of the model's text/csv input. */
    readonly features: string;
}

const FIELD_COUNT = ID_COLUMNS.length + FEATURE_COUNT;

/** Parses one data line; throws a CuratedFormatError naming the line. */
export function parseCuratedLine(line: string, lineNumber: number): CuratedRow {
    const fields = line.split(",");
    if (fields.length !== FIELD_COUNT) {
        throw inferenceError("CuratedFormatError", `line ${lineNumber}: expected ${FIELD_COUNT} fields, found ${fields.length}`);
    }
    const [detectorId, timestamp, seq] = fields;
    if (!detectorId) throw inferenceError("CuratedFormatError", `line ${lineNumber}: empty detector_id`);
    if (Number.isNaN(Date.parse(timestamp))) throw inferenceError("CuratedFormatError", `line ${lineNumber}: timestamp ${JSON.stringify(timestamp)} is not a date`);
    const features = fields.slice(ID_COLUMNS.length);
    const bad = features.findIndex((f) => f.trim() === "" || !Number.isFinite(Number(f)));
    if (bad >= 0) throw inferenceError("CuratedFormatError", `line ${lineNumber}: feature ${bad + 1} ${JSON.stringify(features[bad])} is not a number`);
    return { detectorId, timestamp, seq, features: features.join(",") };
}

/**
 * Rows of a gzip curated CSV stream. Header lines and blank lines are skipped wherever they
 * appear (concatenated Firehose records may each start with one); a malformed line throws, so the
 * event fails whole and stays in the dead-letter queue rather than losing rows.
 */
export async function* readCuratedRows(gzipped: Readable): AsyncGenerator<CuratedRow> {
    const gunzip = createGunzip();
    // pipe() does not forward source errors; a failed download must fail the read.
    gzipped.on("error", (err) => gunzip.destroy(err));
    const decoder = new StringDecoder("utf8");
    let lineNumber = 0;
    let pending = "";
    function* take(lines: string[]): Generator<CuratedRow> {
        for (const raw of lines) {
            lineNumber += 1;
            const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
            if (line !== "" && !isHeaderLine(line)) yield parseCuratedLine(line, lineNumber);
        }
    }
    for await (const chunk of gzipped.pipe(gunzip)) {
        const lines = (pending + decoder.write(chunk as Buffer)).split("\n");
        // split() always returns at least one element: the last, possibly partial, line.
        pending = lines.pop()!;
        yield* take(lines);
    }
    yield* take([pending + decoder.end()]);
}
