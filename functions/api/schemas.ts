/**
 * JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of what the API sends and accepts. The route
 * tables reference these; openapi.ts assembles them into the published document, and the contract
 * test validates every response the API tests produce against them.
 */
export type JsonSchema = Readonly<Record<string, unknown>>;

export const ID_SCHEMA: JsonSchema = { type: "string", pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", description: "A registry id (lowercase UUID)." };
const DATE_TIME: JsonSchema = { type: "string", format: "date-time" };
const NULLABLE_DATE_TIME: JsonSchema = { type: ["string", "null"], format: "date-time" };
export const SEVERITIES = ["info", "warning", "alert"] as const;

function object(properties: Record<string, JsonSchema>, optional: readonly string[] = []): JsonSchema {
    return { type: "object", additionalProperties: false, required: Object.keys(properties).filter((k) => !optional.includes(k)), properties };
}
const text = (description?: string): JsonSchema => ({ type: "string", ...(description ? { description } : {}) });
const number: JsonSchema = { type: "number" };
const nullableText: JsonSchema = { type: ["string", "null"] };

export const list = (item: JsonSchema): JsonSchema => object({ items: { type: "array", items: item } });

export const FINDING: JsonSchema = object({
    id: ID_SCHEMA, projectId: ID_SCHEMA,
    periodStart: { ...DATE_TIME, description: "Start of the period the finding covers (inclusive)." },
    periodEnd: { ...DATE_TIME, description: "End of the period (exclusive)." },
    severity: { enum: [...SEVERITIES] },
});
export const FINDINGS_PAGE: JsonSchema = object({
    items: { type: "array", items: FINDING },
    nextCursor: text("Present only when another page exists: pass it as `cursor` with the same filters."),
}, ["nextCursor"]);
export const PROJECT: JsonSchema = object({ id: ID_SCHEMA, name: text(), description: nullableText });
export const SITE: JsonSchema = object({
    id: ID_SCHEMA, name: text(), kind: { enum: ["mine", "tunnel", "borehole", "other"] },
    latitude: number, longitude: number, depthM: { type: "number", description: "Metres of overburden above the detector." },
});
export const DETECTOR: JsonSchema = object({
    id: ID_SCHEMA, serial: text(), model: text(), firmware: text(),
    status: { enum: ["in_stock", "deployed", "maintenance", "retired"] }, commissionedAt: NULLABLE_DATE_TIME,
});
const DEPLOYMENT_FIELDS = {
    id: ID_SCHEMA, detectorId: ID_SCHEMA, siteId: ID_SCHEMA, projectId: ID_SCHEMA,
    startsAt: { ...DATE_TIME, description: "Inclusive." }, endsAt: { ...NULLABLE_DATE_TIME, description: "Exclusive; null while deployed." },
    zenithDeg: number, azimuthDeg: number, status: { enum: ["planned", "active", "retrieved"] },
};
export const DEPLOYMENT: JsonSchema = object(DEPLOYMENT_FIELDS);
/** What a client sees of a deployment: with the site's name, so a list needs no second call. */
export const CLIENT_DEPLOYMENT: JsonSchema = object({ ...DEPLOYMENT_FIELDS, siteName: text() });
export const DOWNLOAD_LINK: JsonSchema = object({
    url: { type: "string", format: "uri", description: "Presigned S3 URL; the response is an attachment with a file name." },
    method: { const: "GET" }, expiresInSeconds: { type: "integer", minimum: 1, maximum: 3600 },
    filename: text("The file name the download is saved under: .csv.gz or .json.gz."),
    contentType: { const: "application/gzip", description: "The Content-Type S3 answers with: both formats are gzip-compressed files." },
});
export const UPLOAD_LINK: JsonSchema = object({
    url: { type: "string", format: "uri" }, method: { const: "PUT" },
    headers: { type: "object", additionalProperties: { type: "string" }, description: "Send exactly these headers with the PUT." },
    key: text(), expiresInSeconds: { type: "integer", minimum: 1, maximum: 3600 },
});
/** RFC 9457 problem details; `code` is the registry's stable error code, `requestId` comes with 5xx. */
export const PROBLEM: JsonSchema = object({
    type: { type: "string", format: "uri" }, title: text(), status: { type: "integer" }, detail: text(), code: text(), requestId: text(),
}, ["code", "requestId"]);
/** The body API Gateway itself answers with (401 from the JWT authorizer, 429 from throttling). */
export const GATEWAY_MESSAGE: JsonSchema = object({ message: text() });

/** Request body schema: `fields` with their types, none required unless listed (the registry reports missing ones). */
export function bodySchema(fields: Readonly<Record<string, JsonSchema>>, required: readonly string[] = []): JsonSchema {
    return { type: "object", additionalProperties: false, required: [...required], properties: fields };
}
export const FIELD = { text: text(), number, id: ID_SCHEMA, date: DATE_TIME, optionalDate: NULLABLE_DATE_TIME } as const;
