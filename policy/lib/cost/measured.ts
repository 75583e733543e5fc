/**
 * Telemetry sizes the model and the config defaults rest on, measured on the seeded reading
 * generator (scripts/lib/cost/telemetry-sample.ts) and re-measured by
 * tests/scripts/cost-telemetry.test.ts, which fails when the sample and these figures drift apart.
 */
/** JSON bytes of one reading, without its newline (mean over 120,000 readings of 200 detectors). */
export const MEASURED_READING_JSON_BYTES = 329;
/**
 * Curated CSV bytes of one reading (detector_id, timestamp, seq and the 8 features, "\n") and the
 * model's input row the inference sends for it (the 8 features as the converter wrote them, "\n"),
 * over the same sample. The calibration against the local meter found the feature row at 37 B
 * where the model had assumed 61 (issue 17).
 */
export const MEASURED_CSV_BYTES_PER_READING = 76;
export const MEASURED_FEATURE_BYTES_PER_ROW = 39;
/**
 * gzip -6 of one detector's NDJSON record, output / input, by readings per record: what the
 * firmware sends when it compresses (schema/telemetry.md). Longer records compress better
 * (the repeated keys and constant fields are paid for once per record).
 */
export const MEASURED_RECORD_GZIP_RATIOS: Readonly<Record<number, number>> = { 60: 0.1018, 150: 0.0905, 300: 0.0854, 600: 0.0827 };
/** Unconfirmed (non-Sydney) prices: Asia-Pacific runs 10-50% above us-east-1 (shared reference); the report's upper bound uses +50%. */
export const UNCONFIRMED_PRICE_UPLIFT = 0.5;

/**
 * The gzip ratio of a record of `readings` readings: the measured points, linear in
 * log(readings) between them, and the nearest point outside them (so never below what was measured).
 */
export function recordGzipRatio(readings: number): number {
    if (!(readings >= 1)) throw new Error(`readings per record must be >= 1, got ${readings}`);
    // Integer keys enumerate in ascending order, so the points come sorted by length.
    const points = Object.entries(MEASURED_RECORD_GZIP_RATIOS).map(([n, r]) => [Number(n), r] as const);
    if (readings <= points[0][0]) return points[0][1];
    for (let i = 1; i < points.length; i++) {
        const [n1, r1] = points[i];
        if (readings <= n1) {
            const [n0, r0] = points[i - 1];
            return r0 + (r1 - r0) * (Math.log(readings) - Math.log(n0)) / (Math.log(n1) - Math.log(n0));
        }
    }
    return points[points.length - 1][1];
}
