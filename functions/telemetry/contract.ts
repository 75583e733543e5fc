/**
 * The telemetry contract as data: the JSON Schema of one reading and the model's feature list
 * (schema/telemetry.schema.json, schema/features.json). Everything else in this folder is driven
 * by these two files, so changing the contract is a data change, not a code change.
 */
import telemetrySchema from "../../schema/telemetry.schema.json";
import featureList from "../../schema/features.json";

/** One telemetry reading once it has passed validation (units in schema/telemetry.md). */
export interface Reading {
    detector_id: string;
    timestamp: string;
    seq: number;
    muon_count: number;
    coincidence_count: number;
    live_time_s: number;
    zenith_deg: number;
    azimuth_deg: number;
    pressure_hpa: number;
    temperature_c: number;
    humidity_pct: number;
    sipm_bias_v: number;
    battery_v: number;
    latitude: number;
    longitude: number;
    depth_m: number;
}

export type FieldName = keyof Reading;

/** The subset of JSON Schema keywords the contract uses for a field. */
export interface FieldSchema {
    readonly type: "string" | "integer" | "number";
    readonly minimum?: number;
    readonly maximum?: number;
    readonly exclusiveMinimum?: number;
    readonly exclusiveMaximum?: number;
    readonly pattern?: string;
    readonly format?: string;
    readonly description?: string;
}

export interface TelemetrySchema {
    readonly required: readonly string[];
    readonly properties: Readonly<Record<string, FieldSchema>>;
    readonly additionalProperties: boolean;
}

export const TELEMETRY_SCHEMA = telemetrySchema as TelemetrySchema;

/** Field names in schema order. */
export const FIELDS = Object.keys(TELEMETRY_SCHEMA.properties) as FieldName[];

export const ID_COLUMNS = featureList.idColumns as FieldName[];
export const FEATURES = featureList.features as FieldName[];
/** CSV columns: the identifying columns, then the model's features in schema/features.json order. */
export const CSV_COLUMNS: readonly FieldName[] = [...ID_COLUMNS, ...FEATURES];
