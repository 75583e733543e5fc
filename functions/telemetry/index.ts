/** The telemetry contract and converter: validation, CSV, per-record and per-file conversion. */
export { CSV_COLUMNS, FEATURES, FIELDS, ID_COLUMNS, TELEMETRY_SCHEMA } from "./contract";
export type { FieldName, Reading } from "./contract";
export { CSV_HEADER, toCsvRow, toCsvRows } from "./csv";
export { createCuratedGzip } from "./gzip";
export { CSV_GZIP_INPUT_BYTES, CSV_GZIP_LEVEL, CSV_ROW_BATCH, DECODE_BYTES, INPUT_CHUNK_BYTES, MAX_LINE_BYTES, RAW_PREVIEW_CHARS } from "./limits";
export type { QuarantinedReading, ReasonKind } from "./reasons";
export { convertRecord } from "./record";
export type { RecordConversion } from "./record";
export { DuplicateTracker, SeqRanges } from "./seq-ranges";
export { convertStream } from "./stream";
export type { ConvertStreamArgs, Manifest } from "./stream";
export { validateReading } from "./validate";
export type { Validation } from "./validate";
export type { IdentityGate } from "./tally";
