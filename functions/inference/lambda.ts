/**
 * The inference Lambda's adapter: configuration from environment variables (set by
 * infra/inference.ts), real AWS clients, and the handler.
 */
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { SNSClient } from "@aws-sdk/client-sns";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { ObjectCreatedEvent } from "../batch/event";
import { EndpointKind, INVOKE_RESPONSE_SECONDS, PAYLOAD_LIMIT_BYTES } from "./contract";
import { endpointScorer } from "./endpoint";
import { InferenceResult, runInference } from "./handler";
import { lambdaRegistry } from "./registry-lambda";

export interface InferenceEnv {
    DATA_LAKE_BUCKET?: string;
    ENDPOINT_NAME?: string;
    ENDPOINT_KIND?: string;
    INVOKE_CONCURRENCY?: string;
    ALERT_THRESHOLD?: string;
    FINDINGS_TOPIC_ARN?: string;
    REGISTRY_FUNCTION?: string;
}

/** A few seconds over the container's limit, so SageMaker's own timeout error arrives first. */
const HTTP_TIMEOUT_MS = (INVOKE_RESPONSE_SECONDS + 5) * 1000;

function required(env: InferenceEnv, name: keyof InferenceEnv): string {
    const value = env[name];
    if (!value) throw new Error(`environment variable ${name} is not set`);
    return value;
}

export function inferenceHandlerFromEnv(env: InferenceEnv): (event: ObjectCreatedEvent) => Promise<InferenceResult> {
    const kind = required(env, "ENDPOINT_KIND") as EndpointKind;
    // Own keys only: `in` also accepts "toString" or "constructor", whose "limit" is a function (no chunking at all).
    const kinds = Object.keys(PAYLOAD_LIMIT_BYTES);
    if (!kinds.includes(kind)) throw new Error(`ENDPOINT_KIND must be one of ${kinds.join(", ")}`);
    const concurrency = Number(required(env, "INVOKE_CONCURRENCY"));
    const alertThreshold = Number(required(env, "ALERT_THRESHOLD"));
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error("INVOKE_CONCURRENCY must be a positive integer");
    if (!(alertThreshold > 0 && alertThreshold <= 1)) throw new Error("ALERT_THRESHOLD must be in (0, 1]");
    // Our retry policy is the only one: the SDK's own retries would multiply the attempts.
    const sagemaker = new SageMakerRuntimeClient({ maxAttempts: 1, requestHandler: new NodeHttpHandler({ requestTimeout: HTTP_TIMEOUT_MS }) });
    const deps = {
        bucket: required(env, "DATA_LAKE_BUCKET"),
        s3: new S3Client({}),
        sns: new SNSClient({}),
        findingsTopicArn: required(env, "FINDINGS_TOPIC_ARN"),
        scorer: endpointScorer({ client: sagemaker, endpointName: required(env, "ENDPOINT_NAME") }),
        registry: lambdaRegistry(new LambdaClient({}), required(env, "REGISTRY_FUNCTION")),
        limitBytes: PAYLOAD_LIMIT_BYTES[kind],
        concurrency,
        alertThreshold,
        log: (message: string, fields: Record<string, unknown>) => console.log(JSON.stringify({ message, ...fields })),
    };
    return (event) => runInference(event, deps);
}
