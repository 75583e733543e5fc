/** Small stand-alone pieces for the emulator tests (the end-to-end tests use the program's plan). */
import { ListObjectsV2Command, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { gunzipSync } from "zlib";
import { iamAuthorizer } from "../../../scripts/lib/local/iam";
import { PolicyDocument } from "../../../scripts/lib/local/plan";
import { Principal, Principals } from "../../../scripts/lib/local/principals";
import { LocalS3 } from "../../../scripts/lib/local/s3";

export const ACCOUNT = "123456789012";
export const REGION = "ap-southeast-2";

export function allow(actions: string[], resources: string[]): { name: string; policy: PolicyDocument }[] {
    return [{ name: "inline", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: resources }] } }];
}

export async function startS3(bucket: string, principals: Principals): Promise<LocalS3> {
    const s3 = new LocalS3({ buckets: [{ name: bucket, arn: `arn:aws:s3:::${bucket}` }], principals, authorizer: iamAuthorizer(ACCOUNT, REGION), region: REGION });
    await s3.start();
    return s3;
}

export function clientFor(url: string, p: Principal): S3Client {
    return new S3Client({
        region: REGION, endpoint: url, forcePathStyle: true, requestHandler: new NodeHttpHandler(), maxAttempts: 1,
        credentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, sessionToken: p.sessionToken },
    });
}

/** Every object under `prefix`: key and body (gunzipped when it is gzip). */
export async function objects(client: S3Client, bucket: string, prefix: string): Promise<{ key: string; body: string }[]> {
    const list = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const out: { key: string; body: string }[] = [];
    for (const o of list.Contents ?? []) {
        const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
        const bytes = Buffer.from(await got.Body!.transformToByteArray());
        out.push({ key: o.Key!, body: (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString("utf8") });
    }
    return out;
}
