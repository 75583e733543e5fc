/**
 * The batch-ingest Lambda: a thin adapter from the EventBridge event to ingestObject. The S3
 * client and the registry are injected (tests pass a local S3 server and a local registry).
 * The upload's site is the `<site>` of incoming/<site>/<file> (a site id, functions/api/upload-routes.ts);
 * its deployments decide which detectors' readings the file may hold.
 */
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { parseObjectCreated, ObjectCreatedEvent } from "./event";
import { BatchManifest, Convert, ingestObject } from "./ingest";
import { isFolderMarker, parseIncomingKey } from "./keys";
import { registrySiteDeployments, siteGate, SiteDeploymentsSource } from "./site-gate";

export interface BatchHandlerOptions {
    /** The data-lake bucket this function serves; events for any other bucket are rejected. */
    readonly bucket: string;
    /** The registry's deployments at a site; a failure fails the event (Lambda retries, then the DLQ). */
    readonly siteDeployments: SiteDeploymentsSource;
    readonly convert?: Convert;
}

export type BatchResult = BatchManifest | { readonly skipped: string; readonly sourceKey: string };

export function createBatchHandler(s3: S3Client, options: BatchHandlerOptions): (event: ObjectCreatedEvent) => Promise<BatchResult> {
    return async (event) => {
        const source = parseObjectCreated(event, options.bucket);
        if (isFolderMarker(source.key)) {
            console.log(JSON.stringify({ msg: "skipped folder marker", key: source.key }));
            return { skipped: "folder marker", sourceKey: source.key };
        }
        const incoming = parseIncomingKey(source.key);
        const gate = siteGate(incoming.site, await options.siteDeployments(incoming.site));
        const manifest = await ingestObject(s3, source, incoming, gate, options.convert);
        const { sourceKey, versionId, rowsIn, rowsOut, rowsQuarantined, complete } = manifest;
        console.log(JSON.stringify({ msg: "converted", sourceKey, versionId, rowsIn, rowsOut, rowsQuarantined, complete }));
        return manifest;
    };
}

/** An S3 client for the Lambda environment; S3_ENDPOINT (a local S3 server) is honoured only when set. */
export function s3ClientFromEnv(env: NodeJS.ProcessEnv = process.env): S3Client {
    return env.S3_ENDPOINT ? new S3Client({ endpoint: env.S3_ENDPOINT, forcePathStyle: true }) : new S3Client({});
}

/** The handler as Lambda runs it: configuration from the environment. */
export function handlerFromEnv(env: NodeJS.ProcessEnv = process.env): (event: ObjectCreatedEvent) => Promise<BatchResult> {
    const bucket = env.DATA_LAKE_BUCKET;
    const registry = env.REGISTRY_FUNCTION;
    if (!bucket) throw new Error("DATA_LAKE_BUCKET is not set");
    if (!registry) throw new Error("REGISTRY_FUNCTION is not set");
    return createBatchHandler(s3ClientFromEnv(env), { bucket, siteDeployments: registrySiteDeployments(new LambdaClient({}), registry) });
}
