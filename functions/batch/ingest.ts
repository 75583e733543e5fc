/**
 * Batch ingest of one uploaded object: stream it from S3 through the converter into gzip CSV
 * and gzip quarantine NDJSON (multipart uploads), copy the original to raw/batch/, then write
 * the manifest. Memory is bounded by the upload buffers, never by the file size.
 *
 * The raw copy is a second streamed GET -> upload rather than CopyObject: CopyObject stops at
 * 5 GB (larger needs UploadPartCopy bookkeeping), in-region transfer is free, and the copy does
 * not depend on the converter reading its input to the end.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Readable } from "stream";
import { createGzip } from "zlib";
import { createCuratedGzip } from "../telemetry/gzip";
import { convertStream, Manifest } from "../telemetry/stream";
import { IdentityGate } from "../telemetry/tally";
import { SourceObject } from "./event";
import { IncomingKey, OutputKeys, outputKeys } from "./keys";

/** 8 MiB parts: 10,000 parts cap an object at 80 GiB, far above any site dump. */
export const PART_SIZE_BYTES = 8 * 1024 * 1024;
/** Parts in flight per upload; three uploads x 2 x 8 MiB = 48 MiB of buffers whatever the file size. */
export const UPLOAD_QUEUE_SIZE = 2;

export type Convert = typeof convertStream;

/** What batch ingest writes last, beside the raw copy. Deterministic: a rerun writes the same bytes. */
export interface BatchManifest extends Partial<Manifest> {
    readonly bucket: string;
    readonly sourceKey: string;
    readonly versionId: string | null;
    readonly outputs: OutputKeys;
    /** Set when processing failed (S3, not the data): outputs are absent or stale, the event is retried. */
    readonly failure?: string;
}

interface OpenUpload {
    readonly done: Promise<unknown>;
    abort(): Promise<void>;
}

function startUpload(s3: S3Client, bucket: string, key: string, body: Readable, contentType: string): OpenUpload {
    const upload = new Upload({
        client: s3,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
        partSize: PART_SIZE_BYTES,
        queueSize: UPLOAD_QUEUE_SIZE,
        leavePartsOnError: false,
    });
    const done = upload.done();
    done.catch(() => undefined); // observed by the caller; avoids an unhandled rejection meanwhile
    return { done, abort: () => upload.abort() };
}

async function getBody(s3: S3Client, source: SourceObject): Promise<{ body: Readable; contentType?: string }> {
    const response = await s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: source.key, VersionId: source.versionId }));
    if (!(response.Body instanceof Readable)) throw new Error(`GetObject ${source.key}: expected a stream body`);
    return { body: response.Body, contentType: response.ContentType };
}

async function copyRaw(s3: S3Client, source: SourceObject, rawKey: string): Promise<void> {
    const { body, contentType } = await getBody(s3, source);
    await startUpload(s3, source.bucket, rawKey, body, contentType ?? "application/octet-stream").done;
}

async function convertToS3(s3: S3Client, source: SourceObject, keys: OutputKeys, convert: Convert, gate: IdentityGate): Promise<Manifest> {
    const { body } = await getBody(s3, source);
    const curated = createCuratedGzip();
    const quarantine = createGzip();
    const uploads = [
        startUpload(s3, source.bucket, keys.curated, curated, "application/gzip"),
        startUpload(s3, source.bucket, keys.quarantine, quarantine, "application/gzip"),
    ];
    // A failed upload stops reading its gzip stream; fail the input too so the converter
    // rejects instead of waiting forever for 'drain'.
    for (const upload of uploads) {
        upload.done.catch((err: Error) => {
            body.destroy(err);
            curated.destroy(err);
            quarantine.destroy(err);
        });
    }
    try {
        const manifest = await convert({ input: body, sourceKey: source.key, curated, quarantine, gate });
        await Promise.all(uploads.map((u) => u.done));
        // The converter reports an input that stopped early as incomplete data; here that is a
        // failed download, worth a retry rather than a partial result.
        if (manifest.error?.kind === "read-error") throw new Error(manifest.error.reason);
        return manifest;
    } catch (err) {
        body.destroy();
        await Promise.all(uploads.map((u) => u.abort().catch(() => undefined)));
        throw err;
    }
}

async function putManifest(s3: S3Client, bucket: string, key: string, manifest: BatchManifest): Promise<void> {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(manifest, null, 2), ContentType: "application/json" }));
}

/**
 * Converts one upload, keeping only readings `gate` admits (the site's deployed detectors).
 * Bad data never throws (the converter quarantines it and says why in the
 * manifest); an infrastructure failure writes a manifest with `failure` and rethrows, so Lambda
 * retries the event and finally keeps it in the dead-letter queue.
 */
export async function ingestObject(s3: S3Client, source: SourceObject, incoming: IncomingKey, gate: IdentityGate, convert: Convert = convertStream): Promise<BatchManifest> {
    const keys = outputKeys(incoming, source.versionId);
    const identity = { bucket: source.bucket, sourceKey: source.key, versionId: source.versionId ?? null, outputs: keys };
    // Both run to the end before any verdict: no work is left running behind a returned error.
    const [converted, raw] = await Promise.allSettled([convertToS3(s3, source, keys, convert, gate), copyRaw(s3, source, keys.raw)]);
    const failed = [converted, raw].find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed || converted.status !== "fulfilled") {
        const err: unknown = failed?.reason;
        const message = err instanceof Error ? err.message : String(err);
        await putManifest(s3, source.bucket, keys.manifest, { ...identity, complete: false, failure: message });
        throw err;
    }
    const manifest: BatchManifest = { ...converted.value, ...identity };
    await putManifest(s3, source.bucket, keys.manifest, manifest);
    return manifest;
}
