/**
 * Telemetry sizes the model and the config defaults rest on, measured on the seeded reading
 * generator (scripts/lib/cost/telemetry-sample.ts) and re-measured by
 * tests/scripts/cost-telemetry.test.ts, which fails when the sample and these figures drift apart.
 */
/** JSON bytes of one reading, without its newline (mean over 120,000 readings of 200 detectors). */
export const MEASURED_READING_JSON_BYTES = 329;
/** gzip -6 of one detector's 60-reading NDJSON record, output / input: what the firmware option sends. */
export const MEASURED_RECORD_GZIP_RATIO = 0.102;
/** Unconfirmed (non-Sydney) prices: Asia-Pacific runs 10-50% above us-east-1 (shared reference); the report's upper bound uses +50%. */
export const UNCONFIRMED_PRICE_UPLIFT = 0.5;
