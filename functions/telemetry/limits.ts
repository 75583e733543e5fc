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
 * Input buffer of the curated gzip stream: 256 KiB, room for three batches of rows (CSV_ROW_BATCH),
 * not a Writable's default 16 KiB. With 16 KiB every batch filled the buffer, so the converter
 * waited for zlib's thread to compress it before converting the next: the two cores took turns.
 * With room for the next batch they overlap; the gzip conversion took 0.87x the time (docs/benchmarks.md).
 */
export const CSV_GZIP_INPUT_BYTES = 256 * 1024;

/**
 * Read size of a file `mdetect convert` opens: 256 KiB, not fs's default 64 KiB. Each chunk costs a
 * trip through the async iteration, the decoder and the line splitter; on the conversion benchmark
 * (docs/benchmarks.md) 256 KiB took 0.9x the time of 64 KiB for about 5 MB more peak RSS, and 1 MiB
 * was no faster for 20 MB more. The batch Lambda's input is S3's response stream, chunked by the socket.
 */
export const INPUT_CHUNK_BYTES = 256 * 1024;

/**
 * Most bytes the NDJSON splitter decodes into one string: 64 KiB, half of V8's largest regular heap
 * object (128 KiB). A longer string is allocated in V8's large-object space, which made decoding a
 * 256 KiB chunk in one call about 25x slower per byte than in 64 KiB pieces (docs/benchmarks.md).
 * Pieces end at a newline, so a line is never split; a line longer than this is decoded whole.
 */
export const DECODE_BYTES = 64 * 1024;

/**
 * Rows the converter turns into CSV text and writes at once: one write per row costs more than the
 * row. 1,000 rows of a reading's 76 CSV bytes make about 76 KB of text, under V8's 128 KiB
 * large-object threshold (see DECODE_BYTES); 2,000 rows crossed it and took 1.1x the time
 * (docs/benchmarks.md).
 */
export const CSV_ROW_BATCH = 1000;
