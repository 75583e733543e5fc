/**
 * Local Kinesis: kinesalite holds the streams of the plan; the JSON front verifies the
 * caller's signature and evaluates `kinesis:<Operation>` on the stream ARN, plus
 * kms:GenerateDataKey (writes) / kms:Decrypt (reads) on the stream's KMS key with the
 * encryption context Kinesis uses (`aws:kinesis:arn`), against the key policy from the plan.
 * kinesalite speaks HTTP/1.1 only: the SDK reaches it with NodeHttpHandler.
 */
import { AddressInfo } from "net";
import { CreateStreamCommand, KinesisClient, waitUntilStreamExists } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { Authorizer } from "./iam";
import { JsonCall, JsonCheck, JsonFront, JsonReply, JsonService } from "./json-front";
import { KeyPlan, StreamPlan } from "./plan";
import { Principals } from "./principals";
// kinesalite ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kinesalite = require("kinesalite");

const WRITES = new Set(["PutRecord", "PutRecords"]);
const READS = new Set(["GetRecords"]);

export interface KinesisHooks {
    onCall?(call: JsonCall, reply: JsonReply, allowed: boolean): void;
}

export class LocalKinesis {
    private storage: any;
    private storageUrl = "";
    private front?: JsonFront;
    url = "";

    constructor(private readonly streams: readonly StreamPlan[], private readonly keys: readonly KeyPlan[], private readonly region: string,
        private readonly principals: Principals, private readonly authorizer: Authorizer, public hooks: KinesisHooks = {}) {}

    private streamFor(input: any): StreamPlan | undefined {
        return this.streams.find((s) => s.name === input.StreamName || s.arn === input.StreamARN
            || (typeof input.ShardIterator === "string" && this.iteratorStream.get(input.ShardIterator) === s.name));
    }

    /** Shard iterators name no stream; remember which stream issued each (GetRecords is checked on it). */
    private readonly iteratorStream = new Map<string, string>();

    async start(): Promise<string> {
        this.storage = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 });
        await new Promise<void>((resolve) => this.storage.listen(0, "127.0.0.1", resolve));
        this.storageUrl = `http://127.0.0.1:${(this.storage.address() as AddressInfo).port}`;
        const admin = new KinesisClient({ region: this.region, endpoint: this.storageUrl, requestHandler: new NodeHttpHandler(), credentials: { accessKeyId: "admin", secretAccessKey: "admin" } });
        for (const s of this.streams) {
            await admin.send(new CreateStreamCommand({ StreamName: s.name, ShardCount: s.shards }));
            await waitUntilStreamExists({ client: admin, maxWaitTime: 30, minDelay: 0.05 as number, maxDelay: 0.2 as number }, { StreamName: s.name });
        }
        admin.destroy();
        const service: JsonService = {
            signingName: "kinesis",
            checks: (call) => this.checks(call),
            handle: (call) => this.forward(call),
            onCall: (call, reply, allowed) => this.hooks.onCall?.(call, reply, allowed),
        };
        this.front = new JsonFront(service, this.principals, this.authorizer);
        this.url = await this.front.start();
        return this.url;
    }

    async stop(): Promise<void> {
        await this.front?.stop();
        await new Promise<void>((resolve) => this.storage ? this.storage.close(() => resolve()) : resolve());
    }

    private checks(call: JsonCall): JsonCheck[] {
        const stream = this.streamFor(call.input);
        if (!stream) return [{ action: `kinesis:${call.operation}`, resource: `arn:aws:kinesis:${this.region}:${this.streams[0]?.arn.split(":")[4]}:stream/${call.input.StreamName ?? "unknown"}` }];
        const checks: JsonCheck[] = [{ action: `kinesis:${call.operation}`, resource: stream.arn }];
        const kms = WRITES.has(call.operation) ? "kms:GenerateDataKey" : READS.has(call.operation) ? "kms:Decrypt" : undefined;
        if (kms && stream.keyArn) {
            checks.push({
                action: kms, resource: stream.keyArn, resourcePolicy: this.keys.find((k) => k.arn === stream.keyArn)?.policy,
                context: { "kms:ViaService": `kinesis.${this.region}.amazonaws.com`, "kms:EncryptionContext:aws:kinesis:arn": stream.arn },
            });
        }
        return checks;
    }

    private async forward(call: JsonCall): Promise<JsonReply> {
        const headers: Record<string, string> = {};
        for (const k of ["x-amz-target", "content-type", "authorization", "x-amz-date", "x-amz-security-token"]) if (call.headers[k]) headers[k] = call.headers[k];
        // kinesalite addresses streams by name only.
        const stream = this.streamFor(call.input);
        const input = stream && call.input.StreamARN ? { ...call.input, StreamName: stream.name, StreamARN: undefined } : call.input;
        const res = await fetch(this.storageUrl, { method: "POST", headers, body: JSON.stringify(input) });
        const body = Buffer.from(await res.arrayBuffer());
        if (call.operation === "GetShardIterator" && res.ok && stream) {
            this.iteratorStream.set(JSON.parse(body.toString()).ShardIterator, stream.name);
        }
        if (call.operation === "GetRecords" && res.ok && stream) {
            const next = JSON.parse(body.toString()).NextShardIterator;
            if (next) this.iteratorStream.set(next, stream.name);
            this.iteratorStream.delete(call.input.ShardIterator);
        }
        const replyHeaders: Record<string, string> = {};
        res.headers.forEach((v, k) => { if (k.startsWith("x-amz")) replyHeaders[k] = v; });
        return { status: res.status, body, headers: replyHeaders };
    }
}
