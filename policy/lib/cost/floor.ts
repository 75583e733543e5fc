/**
 * The floor for the job: what keeping every reading (compressed, in Glacier Deep Archive from
 * the day it lands), ingesting it through the cheapest managed path and keeping the registry
 * must cost, whatever the design. The design's ratio to it says how much the rest costs.
 */
import {
    ARCHIVE_OVERHEAD_ARCHIVE_BYTES, ARCHIVE_OVERHEAD_STANDARD_BYTES, CostLine, FIREHOSE_BILLING_UNIT_BYTES, GB, HOURS_PER_MONTH,
    SECONDS_PER_MONTH, SERVERLESS_ROWS_PER_SECOND, FEATURE_BYTES_PER_ROW, Usage, flow, regionOf, total,
} from "./model";
import { PRICES, price } from "./prices";

/** Firehose's largest buffer (128 MiB or 900 s): the fewest archive objects. */
const LARGEST_BUFFER = { bufferMiB: 128, bufferSeconds: 900, compressed: true } as const;
/** The smallest registry RDS offers: one single-AZ instance of the cheapest class in the table, 20 GB gp3 (the minimum). */
const MIN_RDS_STORAGE_GB = 20;

function cheapestRdsClass(): { id: keyof typeof PRICES; usd: number } {
    const ids = (Object.keys(PRICES) as (keyof typeof PRICES)[]).filter((id) => id.startsWith("rds.instanceHour."));
    return ids.map((id) => ({ id, usd: PRICES[id].usd })).sort((a, b) => a.usd - b.usd)[0];
}

export interface Floor { readonly month: number; readonly lines: CostLine[]; readonly totalUsd: number }

/** The floor in `month`: Deep Archive storage of every month so far, Direct PUT ingest, the minimum registry, scoring if inference is on. */
export function floorMonth(usage: Usage, month: number, inference: boolean): Floor {
    // Archive-only: Direct PUT into the largest buffer, no inference (scoring is priced below).
    const f = flow({ firehose: LARGEST_BUFFER }, usage);
    // Every cohort so far, the current one half there on average.
    const cohorts = month - 0.5;
    const gb = cohorts * f.rawStoredBytes / GB;
    const objects = cohorts * f.rawObjects;
    const rds = cheapestRdsClass();
    const lines: CostLine[] = [
        { service: "S3", item: "compressed telemetry in Glacier Deep Archive", quantity: gb, unit: "GB-month", usd: gb * price("s3.deepArchiveGbMonth"), region: regionOf("s3.deepArchiveGbMonth") },
        {
            service: "S3", item: "Deep Archive per-object overhead (8 KB + 32 KB)", quantity: objects, unit: "objects",
            usd: objects * (ARCHIVE_OVERHEAD_STANDARD_BYTES / GB * price("s3.standardGbMonth") + ARCHIVE_OVERHEAD_ARCHIVE_BYTES / GB * price("s3.deepArchiveGbMonth")),
            region: regionOf("s3.standardGbMonth", "s3.deepArchiveGbMonth"),
        },
        { service: "S3", item: "PUT requests (archive objects)", quantity: f.rawObjects, unit: "requests", usd: f.rawObjects * price("s3.putRequest"), region: regionOf("s3.putRequest") },
        {
            service: "Firehose", item: `Direct PUT ingestion (records rounded up to ${FIREHOSE_BILLING_UNIT_BYTES / 1024} KB)`, quantity: f.firehoseBilledGb, unit: "GB billed",
            usd: f.firehoseBilledGb * price("firehose.ingestGb"), region: regionOf("firehose.ingestGb"),
        },
        { service: "RDS", item: `${rds.id.replace("rds.instanceHour.", "")} single-AZ`, quantity: HOURS_PER_MONTH, unit: "instance-hours", usd: HOURS_PER_MONTH * rds.usd, region: regionOf(rds.id) },
        { service: "RDS", item: "gp3 storage (minimum)", quantity: MIN_RDS_STORAGE_GB, unit: "GB-month", usd: MIN_RDS_STORAGE_GB * price("rds.gp3GbMonth"), region: regionOf("rds.gp3GbMonth") },
    ];
    if (inference) {
        const seconds = usage.detectors * SECONDS_PER_MONTH / SERVERLESS_ROWS_PER_SECOND;
        const dataGb = usage.detectors * SECONDS_PER_MONTH * FEATURE_BYTES_PER_ROW / GB;
        lines.push(
            { service: "SageMaker", item: "serverless scoring at 1 GB (compute)", quantity: seconds, unit: "seconds", usd: seconds * price("sagemaker.serverlessPerGbSecond"), region: regionOf("sagemaker.serverlessPerGbSecond") },
            { service: "SageMaker", item: "serverless data processed (features in)", quantity: dataGb, unit: "GB", usd: dataGb * price("sagemaker.serverlessDataGb"), region: regionOf("sagemaker.serverlessDataGb") },
        );
    }
    return { month, lines, totalUsd: total(lines) };
}
