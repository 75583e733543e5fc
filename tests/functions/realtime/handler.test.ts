import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { gunzipSync } from "zlib";
// s3rver ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver");
import { handleFirehoseEvent, quarantineBody, quarantineKey, QuarantineSink, QUARANTINE_PREFIX } from "../../../functions/realtime/handler";
import { s3QuarantineSink } from "../../../functions/realtime/s3-sink";
import { transformBatch } from "../../../functions/realtime/transform";
import { firehoseEvent, ndjson, reading } from "./fixtures";
import { FLEET_KEYS } from "./devices";
import { Keyring } from "../../../functions/realtime/keyring";

const fleetKeyring: Keyring = { lookup: async () => FLEET_KEYS };

class MemorySink implements QuarantineSink {
    readonly objects = new Map<string, Buffer>();
    async put(key: string, body: Buffer): Promise<void> {
        this.objects.set(key, body);
    }
}

const mixed = () => firehoseEvent([
    JSON.stringify(reading(1, 1)),
    ndjson([reading(1, 2), { ...reading(1, 3), pressure_hpa: 5 }]),
    ndjson(["{oops", reading(1, 4)]),
]);

describe("functions/realtime: transform handler", () => {
    // The handler logs one summary line per batch; keep test output clean.
    const log = console.log;
    before(() => { console.log = () => undefined; });
    after(() => { console.log = log; });

    it("stores the bad readings of a batch as one NDJSON object under quarantine/realtime/, dated by the oldest arrival", async () => {
        const sink = new MemorySink();
        const event = mixed();
        const response = await handleFirehoseEvent(event, sink, fleetKeyring);
        expect(response.records.map((r) => r.result)).to.deep.equal(["Ok", "Ok", "Ok"]);
        expect([...sink.objects.keys()]).to.have.length(1);
        const [key, body] = [...sink.objects.entries()][0];
        // Oldest record with a bad reading is record 1, one second after 10:00:00 UTC.
        expect(key).to.match(new RegExp(`^${QUARANTINE_PREFIX}2025/06/01/10/[0-9a-f]{32}\\.ndjson\\.gz$`));
        const lines = gunzipSync(body).toString().trimEnd().split("\n").map((l) => JSON.parse(l));
        expect(lines.map((l) => [l.kind, l.line, l.sequenceNumber])).to.deep.equal([
            ["out-of-range", 2, event.records[1].kinesisRecordMetadata!.sequenceNumber],
            ["malformed-json", 1, event.records[2].kinesisRecordMetadata!.sequenceNumber],
        ]);
        expect(lines.every((l) => typeof l.reason === "string" && l.reason.length > 0)).to.equal(true);
    });

    it("names the object by its content, so a retried batch overwrites rather than duplicates", async () => {
        const first = new MemorySink();
        const second = new MemorySink();
        await handleFirehoseEvent(mixed(), first, fleetKeyring);
        await handleFirehoseEvent({ ...mixed(), invocationId: "retry" }, second, fleetKeyring);
        expect([...second.objects.keys()]).to.deep.equal([...first.objects.keys()]);
        const other = transformBatch(firehoseEvent(["nope"]), { keys: FLEET_KEYS });
        expect(quarantineKey(0, quarantineBody(other))).to.not.equal([...first.objects.keys()][0]);
    });

    it("writes nothing when every reading is good", async () => {
        const sink = new MemorySink();
        await handleFirehoseEvent(firehoseEvent([ndjson([reading(1, 1), reading(1, 2)])]), sink, fleetKeyring);
        expect(sink.objects.size).to.equal(0);
    });

    it("fails the invocation when quarantine cannot be stored, so Firehose retries and then keeps the batch", async () => {
        const failing: QuarantineSink = { put: async () => { throw new Error("AccessDenied"); } };
        let error: unknown;
        try {
            await handleFirehoseEvent(mixed(), failing, fleetKeyring);
        } catch (err) {
            error = err;
        }
        expect(error).to.be.instanceOf(Error).with.property("message", "AccessDenied");
    });

    describe("S3 sink through the real SDK against s3rver", () => {
        let server: any;
        let client: S3Client;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-s3rver-"));

        before(async () => {
            server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: dir, configureBuckets: [{ name: "lake" }] });
            const { port } = (await server.run()) as AddressInfo;
            client = new S3Client({
                region: "ap-southeast-2",
                endpoint: `http://127.0.0.1:${port}`,
                forcePathStyle: true,
                credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
                requestHandler: new NodeHttpHandler(),
            });
        });
        after(async () => {
            client.destroy();
            await server.close();
            fs.rmSync(dir, { recursive: true, force: true });
        });

        it("puts the quarantine object where the handler says, readable back line for line", async () => {
            const sink = new MemorySink();
            await handleFirehoseEvent(mixed(), sink, fleetKeyring);
            const [key, body] = [...sink.objects.entries()][0];
            await s3QuarantineSink(client, "lake", "arn:aws:kms:ap-southeast-2:123456789012:key/k").put(key, body);
            const got = await client.send(new GetObjectCommand({ Bucket: "lake", Key: key }));
            expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).to.equal(true);
            expect(got.ContentType).to.equal("application/gzip");
        });
    });
});
