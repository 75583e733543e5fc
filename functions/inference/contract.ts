/**
 * The model contract (schema/model-contract.md) as constants: what a request body may hold and
 * how the curated CSV maps onto it.
 */

import * as schema from "../../schema/features.json";

/** Columns before the features in every curated row (detector_id, timestamp, seq). */
export const ID_COLUMNS: readonly string[] = schema.idColumns;
/** The model's features follow the id columns, in schema/features.json order (8 of them). */
export const FEATURES: readonly string[] = schema.features;
export const FEATURE_COUNT = FEATURES.length;

export type EndpointKind = "serverless" | "instance";

/**
 * Largest request (and response) body per endpoint kind, in bytes.
 * - serverless: "4 MB" in the Serverless Inference docs (request and response). Read as decimal
 *   megabytes, the smaller reading, so a chunk is under the limit whichever unit AWS means.
 * - instance: InvokeEndpoint API reference, Body "Maximum length of 6291456" (6 MiB).
 */
export const PAYLOAD_LIMIT_BYTES: Readonly<Record<EndpointKind, number>> = {
    serverless: 4 * 1000 * 1000,
    instance: 6 * 1024 * 1024,
};

/**
 * Upper bound on one response line: a float64 printed by the container (repr/`%s`) is at most
 * 24 characters ("-1.2345678901234567e-308"), plus "\r\n". Caps rows per chunk so the
 * response cannot outgrow the limit even when the request lines are short.
 */
export const MAX_SCORE_LINE_BYTES = 26;

/** SageMaker gives a container 60 s to answer an invocation (serverless and real-time endpoints alike). */
export const INVOKE_RESPONSE_SECONDS = 60;

/** A header line is recognised by its first field (Firehose objects may carry one per record). */
export function isHeaderLine(line: string): boolean {
    return line.startsWith(`${ID_COLUMNS[0]},`) || line === ID_COLUMNS[0];
}
