/**
 * Scores text/csv chunks through SageMaker InvokeEndpoint: transient failures (throttling, 5xx,
 * dropped connections) are retried with backoff; anything else, or a response that breaks the
 * model contract, fails at once.
 */
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { inferenceError, isInferenceError } from "./errors";
import { RetryHooks, RetryPolicy, DEFAULT_RETRY, withRetry } from "./retry";

/**
 * Error names SageMaker runtime uses for "try again later". Arrays, not Sets: a module-level Set
 * does not survive closure serialization (its methods then throw "Set.prototype.has called on
 * incompatible receiver"), which turned every non-5xx endpoint error into a TypeError in the
 * deployed package (found by the local cloud, tests/scripts/local/inference-faults.test.ts).
 */
const RETRYABLE_NAMES: readonly string[] = ["ThrottlingException", "ModelNotReadyException", "ServiceUnavailable", "InternalFailure", "InternalDependencyException", "TimeoutError"];
/** Socket-level failures worth another attempt. */
const RETRYABLE_CODES: readonly string[] = ["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN"];

export function isRetryableInvokeError(error: unknown): boolean {
    if (isInferenceError(error, "ModelContractError")) return false;
    const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
    const status = e?.$metadata?.httpStatusCode;
    if (status === 429 || (status !== undefined && status >= 500)) return true;
    return RETRYABLE_NAMES.includes(e?.name ?? "") || RETRYABLE_CODES.includes(e?.code ?? "");
}

/** Parses one score per line in [0, 1]; the count must match the rows sent. */
export function parseScores(text: string, expected: number): number[] {
    const lines = text.split("\n").map((l) => l.trim());
    if (lines[lines.length - 1] === "") lines.pop();
    if (lines.length !== expected) throw inferenceError("ModelContractError", `model returned ${lines.length} scores for ${expected} rows`);
    return lines.map((line, i) => {
        const score = Number(line);
        if (line === "" || !Number.isFinite(score) || score < 0 || score > 1) {
            throw inferenceError("ModelContractError", `score ${i + 1} ${JSON.stringify(line)} is not a number in [0, 1]`);
        }
        return score;
    });
}

export type ChunkScorer = (body: string, rows: number) => Promise<number[]>;

export interface EndpointScorerOptions {
    readonly client: SageMakerRuntimeClient;
    readonly endpointName: string;
    readonly retry?: RetryPolicy;
    readonly hooks?: RetryHooks;
}

export function endpointScorer(options: EndpointScorerOptions): ChunkScorer {
    return (body, rows) => withRetry(async () => {
        const response = await options.client.send(new InvokeEndpointCommand({
            EndpointName: options.endpointName,
            ContentType: "text/csv",
            Accept: "text/csv",
            Body: Buffer.from(body, "utf8"),
        }));
        return parseScores(Buffer.from(response.Body ?? new Uint8Array()).toString("utf8"), rows);
    }, isRetryableInvokeError, options.retry ?? DEFAULT_RETRY, options.hooks);
}
