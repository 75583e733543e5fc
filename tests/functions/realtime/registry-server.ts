/**
 * The registry access Lambda as a local HTTP endpoint for the real SDK's LambdaClient
 * (AWS_ENDPOINT_URL_LAMBDA): Invoke requests run functions/registry/access-handler.ts against a
 * real, migrated MariaDB. Serialized handlers reach the registry through it exactly as on AWS.
 */
import * as http from "http";
import { AddressInfo } from "net";
import type { Pool } from "mysql2/promise";
import { handleAccessRequest } from "../../../functions/registry/access-handler";

export interface RegistryServer {
    readonly endpoint: string;
    /** Operations invoked so far, in order. */
    readonly calls: string[];
    close(): Promise<void>;
}

export async function startRegistryServer(pool: Pool): Promise<RegistryServer> {
    const calls: string[] = [];
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", async () => {
            // POST /2015-03-31/functions/<name>/invocations
            if (req.method !== "POST" || !/^\/2015-03-31\/functions\/[^/]+\/invocations/.test(req.url ?? "")) {
                res.writeHead(404).end();
                return;
            }
            const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            calls.push(request.op);
            const answer = await handleAccessRequest(() => pool, request, () => undefined);
            res.writeHead(200, { "content-type": "application/json", "x-amz-executed-version": "$LATEST" }).end(JSON.stringify(answer));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        calls,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}
