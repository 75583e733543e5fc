/**
 * The formats a finding downloads in. Inference writes one gzip CSV per client, project and hour
 * (schema/datalake.md); JSON is converted from it by the download function on the first request
 * and kept next to it (`<name>.json.gz`, tagged with the CSV's ETag), so:
 *
 * - storage grows only with what clients ask for: a JSON twin written by inference for every
 *   object would double findings storage, which never expires (the largest growing line of the
 *   cost model at fleet scale), for a format most clients never fetch;
 * - the answer is still a presigned S3 URL: a converted body returned by the function would hit
 *   Lambda's 6 MB response limit on a busy project hour;
 * - a conversion that would not finish inside the function's timeout is refused up front
 *   (MAX_JSON_SOURCE_BYTES) with a 409 that says to take the CSV, rather than a gateway timeout.
 *
 * Both files are gzip and say so: Content-Type application/gzip and a `.csv.gz`/`.json.gz` name,
 * so every client (browser, `curl -OJ`, pandas) gets bytes that match their name.
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Readable } from "stream";
import { StringDecoder } from "string_decoder";
import { pipeline } from "stream/promises";
import { createGunzip, createGzip } from "zlib";
import { LambdaError } from "../errors";
import { FINDINGS_CSV_HEADER } from "../inference/findings";
import { HttpProblem, PROBLEMS } from "./http";

const FINDINGS_COLUMNS = FINDINGS_CSV_HEADER.split(",");

export const DOWNLOAD_FORMATS = ["csv", "json"] as const;
export type DownloadFormat = typeof DOWNLOAD_FORMATS[number];

/** Both formats are served as stored: gzip, named for what is inside. */
export const DOWNLOAD_CONTENT_TYPE = "application/gzip";
export const DOWNLOAD_EXTENSION: Readonly<Record<DownloadFormat, string>> = { csv: "csv.gz", json: "json.gz" };

/**
 * Gzip CSV the download function converts on request: ~150k rows. The largest accepted object
 * converts in a projected ~4 s on the 256 MB function (`npm run bench -- json-export`,
 * docs/benchmarks.md), inside the 10 s timeout with room for the registry query, two HEADs, the
 * GET and the PUT. Typical findings objects are a few hundred KB.
 */
export const MAX_JSON_SOURCE_BYTES = 2 * 1024 * 1024;

/** User metadata on the JSON object: the ETag of the CSV it was converted from. */
const SOURCE_ETAG = "source-etag";

/** How every JSON conversion's key ends (the download role may write only these). */
export const JSON_EXPORT_SUFFIX = ".json.gz";

/** The JSON object's key, next to its CSV: `.../<name>.csv.gz` -> `.../<name>.json.gz`. */
export function jsonKeyOf(csvKey: string): string {
    return `${csvKey.replace(/\.csv(\.gz)?$/, "")}${JSON_EXPORT_SUFFIX}`;
}

/**
 * One data line of a findings CSV as a JSON object. Inference writes every cell as a plain token
 * (contract serial, ISO timestamp, integer, JS number, severity word; functions/inference/findings.ts),
 * so splitting on commas is exact, as for the curated CSV (inference/curated.ts); anything else
 * means the object is not what inference writes, and the conversion fails rather than guess.
 */
function rowJson(line: string, lineNumber: number): string {
    const cells = line.split(",");
    const [detectorId, timestamp, seq, score, severity] = cells;
    if (line.includes('"') || cells.length !== FINDINGS_COLUMNS.length || !/^[0-9]+$/.test(seq) || !Number.isFinite(Number(score)) || score.trim() === "") {
        throw new FindingsFormatError(`line ${lineNumber}: not a findings row (${FINDINGS_CSV_HEADER})`);
    }
    return `{"detector_id":${JSON.stringify(detectorId)},"timestamp":${JSON.stringify(timestamp)},"seq":${seq},"score":${Number(score)},"severity":${JSON.stringify(severity)}}`;
}

export class FindingsFormatError extends LambdaError {
    constructor(message: string) { super("FindingsFormatError", message); }
}

/**
 * Gzip CSV (header first) in, gzip JSON out: an array of one object per row, keyed by the CSV's
 * column names, seq and score as numbers (seq stays exact: its digits are copied). Streams both
 * ways, one string per input chunk rather than per row, so memory holds the output only.
 */
export async function findingsCsvToJson(csvGzip: Readable): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let lineNumber = 0;
    let rows = 0;
    const json = (lines: string[]): string => {
        let text = "";
        for (const raw of lines) {
            lineNumber += 1;
            const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
            if (line === "" || line === FINDINGS_CSV_HEADER) continue;
            text += `${rows++ === 0 ? "[\n" : ",\n"}${rowJson(line, lineNumber)}`;
        }
        return text;
    };
    async function* toJson(csv: AsyncIterable<Buffer>): AsyncGenerator<string> {
        const decoder = new StringDecoder("utf8");
        let pending = "";
        for await (const chunk of csv) {
            const lines = (pending + decoder.write(chunk)).split("\n");
            pending = lines.pop() ?? "";
            const text = json(lines);
            if (text !== "") yield text;
        }
        yield json([pending + decoder.end()]) + (rows === 0 ? "[]\n" : "\n]\n");
    }
    await pipeline(csvGzip, createGunzip(), toJson, createGzip({ level: 1 }), async (gzip: AsyncIterable<Buffer>) => {
        for await (const chunk of gzip) chunks.push(chunk);
    });
    return Buffer.concat(chunks);
}

/** Too large to convert on request: the CSV is always available. */
const tooLargeForJson = () => new HttpProblem(PROBLEMS.conflict,
    `This finding is too large to convert to JSON on request (limit ${MAX_JSON_SOURCE_BYTES / 1024 / 1024} MiB of gzip CSV); download it with format=csv.`);

/**
 * The key to presign for `format` of the finding stored at `csvKey`: the CSV itself, or its JSON
 * conversion, written now unless one converted from this very CSV (same ETag) is already there.
 */
export async function exportKey(s3: S3Client, bucket: string, csvKey: string, format: DownloadFormat): Promise<string> {
    if (format === "csv") return csvKey;
    const key = jsonKeyOf(csvKey);
    const source = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: csvKey }));
    const existing = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch((error) => {
        if ((error as { name?: string }).name === "NotFound") return undefined;
        throw error;
    });
    if (existing && existing.Metadata?.[SOURCE_ETAG] === source.ETag) return key;
    if ((source.ContentLength ?? 0) > MAX_JSON_SOURCE_BYTES) throw tooLargeForJson();
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: csvKey, IfMatch: source.ETag }));
    const body = await findingsCsvToJson(object.Body as Readable);
    await s3.send(new PutObjectCommand({
        Bucket: bucket, Key: key, Body: body, ContentType: DOWNLOAD_CONTENT_TYPE, Metadata: { [SOURCE_ETAG]: source.ETag ?? "" },
    }));
    return key;
}
