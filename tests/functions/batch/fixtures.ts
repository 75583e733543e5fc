/** A local data lake for batch-ingest tests: upload, build the EventBridge event, read outputs back. */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { gunzipSync } from "zlib";
import { ObjectCreatedEvent } from "../../../functions/batch/event";
import { LocalS3 } from "../../helpers/s3";

export function objectCreated(bucket: string, key: string, versionId?: string): ObjectCreatedEvent {
    return {
        source: "aws.s3",
        "detail-type": "Object Created",
        detail: { bucket: { name: bucket }, object: { key, size: 1, ...(versionId ? { "version-id": versionId } : {}) } },
    };
}

export async function put(s3: LocalS3, bucket: string, key: string, body: string | Buffer): Promise<void> {
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

export async function read(s3: LocalS3, bucket: string, key: string): Promise<Buffer> {
    const response = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await response.Body!.transformToByteArray());
}

export async function readGzipText(s3: LocalS3, bucket: string, key: string): Promise<string> {
    return gunzipSync(await read(s3, bucket, key)).toString("utf8");
}

/** Every key in the bucket, sorted. */
export async function listKeys(s3: LocalS3, bucket: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
        const page = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.NextContinuationToken;
    } while (token);
    return keys.sort();
}
