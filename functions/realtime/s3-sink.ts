/** Quarantine lines to S3, encrypted with the project's key (the bucket policy may insist on it). */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { QuarantineSink } from "./handler";

export function s3QuarantineSink(client: S3Client, bucket: string, kmsKeyArn: string): QuarantineSink {
    return {
        async put(key: string, body: Buffer): Promise<void> {
            await client.send(new PutObjectCommand({
                Bucket: bucket,
                Key: key,
                Body: body,
                ContentType: "application/gzip",
                ServerSideEncryption: "aws:kms",
                SSEKMSKeyId: kmsKeyArn,
            }));
        },
    };
}
