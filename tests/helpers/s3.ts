/**
 * A local S3 (s3rver) with the given buckets and a real SDK client pointed at it (path-style,
 * fake credentials, HTTP/1.1). s3rver does not verify signatures.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
// s3rver ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver");

export interface LocalS3 {
    readonly client: S3Client;
    readonly endpoint: string;
    stop(): Promise<void>;
}

export async function startLocalS3(buckets: string[]): Promise<LocalS3> {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-s3rver-"));
    const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
    const { port } = (await server.run()) as AddressInfo;
    const endpoint = `http://127.0.0.1:${port}`;
    const client = new S3Client({
        region: "ap-southeast-2",
        endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
        requestHandler: new NodeHttpHandler(),
    });
    return {
        client,
        endpoint,
        async stop() {
            client.destroy();
            await server.close();
            fs.rmSync(directory, { recursive: true, force: true });
        },
    };
}
