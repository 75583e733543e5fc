/**
 * The data lake's key layout, in one place for the infrastructure (lifecycle rules, IAM
 * prefixes, Firehose prefixes, event filters) and the functions that read and write objects.
 * Documented in schema/datalake.md.
 */
export const PREFIX = {
    /** Files uploaded from site (SD-card dumps): JSON array or NDJSON, optionally gzip. */
    incoming: "incoming/",
    /** Untouched source telemetry: batch originals and Firehose source-record backup. */
    raw: "raw/",
    /** Gzip CSV with the model's features, one object per source object. */
    curated: "curated/",
    /** Readings that failed validation, with reasons, plus Firehose processing errors. */
    quarantine: "quarantine/",
    /** Model scores per client: findings/<client_id>/<project_id>/<detector_id>/<date>/... */
    findings: "findings/",
} as const;

export type Area = keyof typeof PREFIX;
