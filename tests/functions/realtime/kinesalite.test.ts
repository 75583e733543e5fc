import { expect } from "chai";
import { AddressInfo } from "net";
import {
    CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, PutRecordsCommand,
} from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { FirehoseEvent, transformBatch } from "../../../functions/realtime/transform";
import { ndjson, reading, STREAM_ARN } from "./fixtures";
import { device, FLEET_KEYS, signRecord } from "./devices";
// kinesalite ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kinesalite = require("kinesalite");

const STREAM = "telemetry";
const DETECTORS = 5;
const READINGS_PER_RECORD = 60;
const RECORDS_PER_DETECTOR = 3;

describe("functions/realtime: detector -> Kinesis (kinesalite) -> transform round trip", () => {
    let server: any;
    let client: KinesisClient;

    before(async () => {
        server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 4 });
        await new Promise<void>((resolve, reject) => server.listen(0, "127.0.0.1", (err?: Error) => (err ? reject(err) : resolve())));
        client = new KinesisClient({
            region: "ap-southeast-2",
            endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            credentials: { accessKeyId: "fake", secretAccessKey: "fake" },
            // The client defaults to HTTP/2 for Kinesis; kinesalite speaks HTTP/1.1.
            requestHandler: new NodeHttpHandler(),
        });
        await client.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 2 }));
        const { StreamDescriptionSummary } = await client.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }));
        expect(StreamDescriptionSummary?.StreamStatus).to.equal("ACTIVE");
    });

    after(async () => {
        client.destroy();
        await new Promise((resolve) => server.close(resolve));
    });

    it("puts device-batched records, reads them back from every shard and converts every reading", async () => {
        // Each detector sends RECORDS_PER_DETECTOR signed records of 60 NDJSON readings (every
        // other one gzip), partitioned by its thing name; detector 3's second record carries one
        // reading its firmware corrupted.
        const entries = [];
        for (let d = 1; d <= DETECTORS; d++) {
            for (let r = 0; r < RECORDS_PER_DETECTOR; r++) {
                const batch: unknown[] = Array.from({ length: READINGS_PER_RECORD }, (_, i) => reading(d, r * READINGS_PER_RECORD + i));
                if (d === 3 && r === 1) batch[10] = { ...(batch[10] as object), humidity_pct: 140 };
                const sender = device(`MD-${String(d).padStart(4, "0")}`);
                entries.push({ PartitionKey: sender.thingName, Data: signRecord(sender, ndjson(batch), Date.now(), { gzip: r % 2 === 1 }) });
            }
        }
        const put = await client.send(new PutRecordsCommand({ StreamName: STREAM, Records: entries }));
        expect(put.FailedRecordCount).to.equal(0);

        const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: STREAM }));
        expect(Shards).to.have.length(2);
        const records: FirehoseEvent["records"][number][] = [];
        for (const shard of Shards) {
            const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" }));
            const got = await client.send(new GetRecordsCommand({ ShardIterator }));
            for (const r of got.Records ?? []) {
                const arrival = r.ApproximateArrivalTimestamp!.getTime();
                records.push({
                    recordId: `${shard.ShardId}-${r.SequenceNumber}`,
                    approximateArrivalTimestamp: arrival,
                    data: Buffer.from(r.Data!).toString("base64"),
                    kinesisRecordMetadata: { shardId: shard.ShardId!, partitionKey: r.PartitionKey!, approximateArrivalTimestamp: arrival, sequenceNumber: r.SequenceNumber!, subsequenceNumber: "0" },
                });
            }
        }
        expect(records).to.have.length(entries.length);

        const { response, quarantine, stats } = transformBatch({ invocationId: "kinesalite", sourceKinesisStreamArn: STREAM_ARN, records }, { keys: FLEET_KEYS });
        expect(response.records.every((r) => r.result === "Ok")).to.equal(true);
        const rows = response.records.flatMap((r) => Buffer.from(r.data, "base64").toString().split("\n").filter(Boolean));
        const total = DETECTORS * RECORDS_PER_DETECTOR * READINGS_PER_RECORD;
        expect(stats).to.include({ readingsIn: total, rowsOut: total - 1, quarantined: 1 });
        const keys = new Set(rows.map((row) => row.split(",").slice(0, 3).filter((_, i) => i !== 1).join("#")));
        expect(keys.size).to.equal(total - 1);
        expect(keys.has(`MD-0003#${READINGS_PER_RECORD + 10}`)).to.equal(false);
        expect(quarantine[0]).to.include({ kind: "out-of-range", line: 11, partitionKey: "MD-0003" });
        expect(quarantine[0].shardId).to.match(/^shardId-/);
    });
});
