/**
 * The curated CSV's gzip stream, built the same way by the batch Lambda, `mdetect convert` and the
 * conversion benchmark, so the benchmark measures what runs.
 */
import type { TransformOptions } from "stream";
import { createGzip, Gzip, ZlibOptions } from "zlib";
import { CSV_GZIP_CHUNK_BYTES, CSV_GZIP_INPUT_BYTES, CSV_GZIP_LEVEL } from "./limits";

export function createCuratedGzip(): Gzip {
    // zlib hands its options to the Transform it is, so the writable side's buffer is set here too.
    const options: ZlibOptions & TransformOptions = { level: CSV_GZIP_LEVEL, chunkSize: CSV_GZIP_CHUNK_BYTES, writableHighWaterMark: CSV_GZIP_INPUT_BYTES };
    return createGzip(options);
}
