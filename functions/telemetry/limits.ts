/** Size limits of the converter, with the reason for each. */

/**
 * A reading is about 326 bytes (schema/telemetry.md); the issue calls any line over 1 MB bad input. The limit also
 * bounds the memory one line (or array element) can take while it is being assembled.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

/** Quarantine keeps a preview of the offending text, enough to diagnose it, not the whole line. */
export const RAW_PREVIEW_CHARS = 1024;

/**
 * gzip level of the curated CSV: zlib's fastest (1), not its default (6). On the conversion
 * benchmark (docs/benchmarks.md) level 6 took about twice the time of level 1, which made gzip
 * cost more than the validated conversion itself, for 5.3x instead of 4.1x compression. The
 * curated objects are a fraction of raw/ and move to Glacier; the converter's CPU is what
 * bounds the batch Lambda's duration.
 */
export const CSV_GZIP_LEVEL = 1;

/** zlib output chunk of the curated gzip stream: 64 KiB rather than its default 16 KiB, a quarter of the round trips to the thread pool per batch of rows (docs/benchmarks.md). */
export const CSV_GZIP_CHUNK_BYTES = 64 * 1024;

/**
 * Read size of a file `mdetect convert` opens: 256 KiB, not fs's default 64 KiB. Each chunk costs a
 * trip through the async iteration, the decoder and the line splitter; on the conversion benchmark
 * (docs/benchmarks.md) 256 KiB took 0.9x the time of 64 KiB for about 5 MB more peak RSS, and 1 MiB
 * was no faster for 20 MB more. The batch Lambda's input is S3's response stream, chunked by the socket.
 */
export const INPUT_CHUNK_BYTES = 256 * 1024;
