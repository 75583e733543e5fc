import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { gunzipSync } from "zlib";
import { childrenOf, loadSerializedHandler, one, policyDoc, program } from "../helpers/program";
import { recordSdkCalls } from "../helpers/aws-mock";
import { streamCapacity } from "../../infra/capacity";
import { PlannedResource, ProgramRun } from "../../scripts/lib/mock-run";
import { arrivalOf, firehoseEvent, ndjson, reading, sent } from "../functions/realtime/fixtures";
import { certificateOf, device } from "../functions/realtime/devices";
import { startRegistryServer, RegistryServer } from "../functions/realtime/registry-server";
import { TestDatabase, withTestDatabase } from "../helpers/db";
import { createDetector } from "../../functions/registry/catalog";
import { registerDeviceCertificate } from "../../functions/registry/device-identity";
// s3rver ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver");

const COMPONENT = "mdetect:ingest:RealtimeIngest::mdetect-realtime";
const mine = (run: ProgramRun, type: string, nameIncludes = ""): PlannedResource => {
    const found = childrenOf(run, COMPONENT).filter((r) => r.type === type && r.name.includes(nameIncludes));
    if (found.length !== 1) throw new Error(`expected one ${type} *${nameIncludes}* in RealtimeIngest, found ${found.length}`);
    return found[0];
};
const statementsOf = (run: ProgramRun, policyName: string) => policyDoc(mine(run, "aws:iam/rolePolicy:RolePolicy", policyName).inputs.policy).Statement;
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

describe("infra: real-time ingest", () => {
    let run: ProgramRun;
    let stream: PlannedResource;
    let key: PlannedResource;
    before(async () => {
        run = await program();
        stream = mine(run, "aws:kinesis/stream:Stream");
        key = one(run, "aws:kms/key:Key");
    });

    describe("Kinesis stream", () => {
        it("is KMS-encrypted with the project key, keeps 24 hours, and has the dev fleet's shard count", () => {
            const fleet = { detectorCount: Number(run.config["mdetect:detectorCount"]), bytesPerSecondPerDetector: Number(run.config["mdetect:bytesPerSecondPerDetector"]), readingsPerRecord: Number(run.config["mdetect:readingsPerRecord"]) };
            expect(stream.inputs).to.deep.include({ encryptionType: "KMS", kmsKeyId: key.state.arn, retentionPeriod: 24 });
            expect(stream.inputs.streamModeDetails).to.deep.equal({ streamMode: "PROVISIONED" });
            expect(stream.inputs.shardCount).to.equal(streamCapacity(fleet).shards).and.equal(1);
        });

        it("grows to 9 shards for 20,000 detectors at the measured 329-byte reading (27 at the seed's 1 KB/s)", async () => {
            const big = await program({ "mdetect:detectorCount": 20000 });
            expect(mine(big, "aws:kinesis/stream:Stream").inputs.shardCount).to.equal(9);
            const seed = await program({ "mdetect:detectorCount": 20000, "mdetect:bytesPerSecondPerDetector": 1024 });
            expect(mine(seed, "aws:kinesis/stream:Stream").inputs.shardCount).to.equal(27);
        });

        it("in ON_DEMAND mode sets the mode and no shard count (AWS rejects one)", async () => {
            const onDemand = await program({ "mdetect:streamMode": "ON_DEMAND" });
            const s = mine(onDemand, "aws:kinesis/stream:Stream");
            expect(s.inputs.streamModeDetails).to.deep.equal({ streamMode: "ON_DEMAND" });
            expect(s.inputs).to.not.have.property("shardCount");
        });
    });

    describe("detector credentials through AWS IoT", () => {
        it("lets only the IoT credentials provider assume the device role", () => {
            const role = mine(run, "aws:iam/role:Role", "device-role");
            expect(policyDoc(role.inputs.assumeRolePolicy).Statement).to.deep.equal([
                { Effect: "Allow", Principal: { Service: "credentials.iot.amazonaws.com" }, Action: "sts:AssumeRole" },
            ]);
        });

        it("lets the device role only put records on this stream (and take a data key for it)", () => {
            const statements = statementsOf(run, "device-policy");
            const kinesis = statements.filter((s) => asList(s.Action).some((a) => String(a).startsWith("kinesis:")));
            expect(kinesis).to.have.length(1);
            expect(kinesis[0]).to.deep.include({ Effect: "Allow", Action: ["kinesis:PutRecord", "kinesis:PutRecords"], Resource: stream.state.arn });
            const others = statements.filter((s) => !kinesis.includes(s));
            expect(others.map((s) => [s.Action, s.Resource])).to.deep.equal([["kms:GenerateDataKey", key.state.arn]]);
            expect(others[0].Condition.StringEquals["kms:EncryptionContext:aws:kinesis:arn"]).to.equal(stream.state.arn);
        });

        it("maps the role alias to the device role with short-lived credentials", () => {
            const alias = mine(run, "aws:iot/roleAlias:RoleAlias");
            const role = mine(run, "aws:iam/role:Role", "device-role");
            expect(alias.inputs.roleArn).to.equal(role.state.arn);
            // IoT accepts 900-43200 s, and no more than the role's maximum session.
            expect(alias.inputs.credentialDuration).to.be.within(900, 43200).and.at.most(role.inputs.maxSessionDuration ?? 3600);
        });

        it("lets a certificate do nothing but exchange itself for this role alias's credentials", () => {
            const alias = mine(run, "aws:iot/roleAlias:RoleAlias");
            const policy = mine(run, "aws:iot/policy:Policy");
            expect(policyDoc(policy.inputs.policy).Statement).to.deep.equal([
                { Effect: "Allow", Action: "iot:AssumeRoleWithCertificate", Resource: alias.state.arn },
            ]);
            expect(alias.state.arn).to.match(/^arn:aws:iot:ap-southeast-2:\d{12}:rolealias\/mdetect-dev-detector-stream$/);
        });

        it("exports what firmware needs: stream name, role alias, credentials endpoint, region", () => {
            expect(run.outputs).to.deep.include({
                telemetryStreamName: stream.state.name,
                deviceRoleAlias: "mdetect-dev-detector-stream",
                region: "ap-southeast-2",
            });
            expect(run.outputs.iotCredentialsEndpoint).to.match(/\.credentials\.iot\.ap-southeast-2\.amazonaws\.com$/);
        });
    });

    describe("Firehose delivery", () => {
        let s3: any;
        let bucket: PlannedResource;
        before(() => {
            const delivery = mine(run, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream");
            s3 = delivery.inputs.extendedS3Configuration;
            bucket = one(run, "aws:s3/bucket:Bucket", "data-lake");
        });

        it("reads the stream, and sets no delivery-stream SSE (unavailable with a Kinesis source)", () => {
            const delivery = mine(run, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream");
            expect(delivery.inputs.destination).to.equal("extended_s3");
            expect(delivery.inputs.kinesisSourceConfiguration.kinesisStreamArn).to.equal(stream.state.arn);
            expect(delivery.inputs).to.not.have.property("serverSideEncryption");
        });

        it("writes GZIP CSV under curated/realtime/ and backs up the source JSON under raw/realtime/, both KMS-encrypted", () => {
            expect(s3).to.deep.include({ bucketArn: bucket.state.arn, compressionFormat: "GZIP", kmsKeyArn: key.state.arn, s3BackupMode: "Enabled" });
            expect(s3.prefix.startsWith("curated/realtime/")).to.equal(true);
            expect(s3.s3BackupConfiguration).to.deep.include({ bucketArn: bucket.state.arn, compressionFormat: "GZIP", kmsKeyArn: key.state.arn });
            expect(s3.s3BackupConfiguration.prefix.startsWith("raw/realtime/")).to.equal(true);
        });

        it("follows Firehose's prefix rules: an error prefix with the error type wherever a prefix uses expressions", () => {
            for (const target of [s3, s3.s3BackupConfiguration]) {
                expect(target.prefix).to.include("!{timestamp:");
                expect(target.prefix).to.not.include("!{firehose:error-output-type}");
                expect(target.errorOutputPrefix.startsWith("quarantine/firehose-errors/")).to.equal(true);
                expect(target.errorOutputPrefix).to.include("!{firehose:error-output-type}");
                for (const p of [target.prefix, target.errorOutputPrefix]) {
                    expect(p.startsWith("/"), p).to.equal(false);
                    expect(p.endsWith("/"), p).to.equal(true);
                    expect(p.length, p).to.be.at.most(1024);
                }
            }
            expect(s3.errorOutputPrefix).to.not.equal(s3.s3BackupConfiguration.errorOutputPrefix);
        });

        it("buffers as configured, within Firehose's 1-128 MiB and 0-900 s", async () => {
            expect(s3).to.deep.include({ bufferingSize: run.config["mdetect:firehoseBufferMiB"], bufferingInterval: run.config["mdetect:firehoseBufferSeconds"] });
            const custom = await program({ "mdetect:firehoseBufferMiB": 16, "mdetect:firehoseBufferSeconds": 300 });
            const c = mine(custom, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs.extendedS3Configuration;
            expect([c.bufferingSize, c.bufferingInterval, c.s3BackupConfiguration.bufferingSize, c.s3BackupConfiguration.bufferingInterval]).to.deep.equal([16, 300, 16, 300]);
            for (const t of [s3, s3.s3BackupConfiguration]) {
                expect(t.bufferingSize).to.be.within(1, 128);
                expect(t.bufferingInterval).to.be.within(0, 900);
            }
        });

        it("logs delivery errors to a log group with retention", () => {
            const group = mine(run, "aws:cloudwatch/logGroup:LogGroup", "firehose-logs");
            expect(group.inputs.retentionInDays).to.equal(run.config["mdetect:logRetentionDays"]);
            for (const t of [s3, s3.s3BackupConfiguration]) {
                expect(t.cloudwatchLoggingOptions).to.deep.include({ enabled: true, logGroupName: group.state.name });
            }
        });

        it("runs the transform Lambda on batches Lambda can take (0.2-3 MB in, 5 minutes at most)", () => {
            const fn = one(run, "aws:lambda/function:Function", "realtime-transform");
            const [processor] = s3.processingConfiguration.processors;
            expect(s3.processingConfiguration.enabled).to.equal(true);
            expect(processor.type).to.equal("Lambda");
            const params = Object.fromEntries(processor.parameters.map((p: any) => [p.parameterName, p.parameterValue]));
            expect(params.LambdaArn).to.equal(`${fn.state.arn}:$LATEST`);
            expect(Number(params.BufferSizeInMBs)).to.be.within(0.2, 3);
            expect(fn.inputs.timeout).to.be.at.most(300);
        });

        it("scopes the Firehose role to this stream, the transform, its three prefixes and the key", () => {
            const role = mine(run, "aws:iam/role:Role", "firehose-role");
            const trust = policyDoc(role.inputs.assumeRolePolicy).Statement;
            expect(trust).to.have.length(1);
            expect(trust[0].Principal).to.deep.equal({ Service: "firehose.amazonaws.com" });
            expect(trust[0].Condition.StringEquals["sts:ExternalId"]).to.match(/^\d{12}$/);
            const fn = one(run, "aws:lambda/function:Function", "realtime-transform");
            const allowed = new Set([
                stream.state.arn, key.state.arn, fn.state.arn, `${fn.state.arn}:*`, bucket.state.arn,
                `${bucket.state.arn}/curated/realtime/*`, `${bucket.state.arn}/raw/realtime/*`, `${bucket.state.arn}/quarantine/firehose-errors/*`,
                `${mine(run, "aws:cloudwatch/logGroup:LogGroup", "firehose-logs").state.arn}:log-stream:*`,
            ]);
            for (const s of statementsOf(run, "firehose-policy")) {
                for (const r of asList(s.Resource)) expect(allowed.has(String(r)), `${s.Sid}: ${r}`).to.equal(true);
                for (const a of asList(s.Action)) expect(String(a)).to.not.include("*");
                if (asList(s.Action).some((a) => String(a).startsWith("kms:"))) expect(s.Condition, s.Sid).to.have.property("StringEquals");
            }
            const kinesis = statementsOf(run, "firehose-policy").filter((s) => asList(s.Action).some((a) => String(a).startsWith("kinesis:")));
            expect(kinesis.flatMap((s) => asList(s.Resource))).to.deep.equal([stream.state.arn]);
        });

        it("lets the transform write only under quarantine/realtime/", () => {
            const statements = policyDoc(one(run, "aws:iam/rolePolicy:RolePolicy", "realtime-transform-policy").inputs.policy).Statement;
            const s3Statements = statements.filter((s: any) => asList(s.Action).some((a) => String(a).startsWith("s3:")));
            expect(s3Statements.map((s: any) => [s.Action, s.Resource])).to.deep.equal([["s3:PutObject", `${bucket.state.arn}/quarantine/realtime/*`]]);
        });
    });

    it("lets the transform invoke the registry access Lambda (device certificates) and names it in its environment", () => {
        const fn = one(run, "aws:lambda/function:Function", "realtime-transform");
        const access = one(run, "aws:lambda/function:Function", "registry-access");
        expect(fn.inputs.environment.variables.REGISTRY_FUNCTION).to.equal(access.state.name);
        const statements = policyDoc(one(run, "aws:iam/rolePolicy:RolePolicy", "realtime-transform-policy").inputs.policy).Statement;
        const invoke = statements.filter((s: any) => asList(s.Action).includes("lambda:InvokeFunction"));
        expect(invoke.flatMap((s: any) => asList(s.Resource))).to.deep.equal([access.state.arn]);
    });

    describe("serialized transform handler", () => {
        // What the deployed code calls, for the role's IAM table (realtime-ingest.iam.test.ts).
        const sdk = recordSdkCalls("realtime-transform");
        let server: any;
        let db: TestDatabase;
        let registry: RegistryServer;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-s3rver-"));
        const saved = { ...process.env };
        let endpoint = "";
        before(async () => {
            server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: dir, configureBuckets: [{ name: "lake" }] });
            endpoint = `http://127.0.0.1:${((await server.run()) as AddressInfo).port}`;
            // The registry holds MD-0001's certificate: the transform fetches it through the access Lambda.
            db = await withTestDatabase();
            const detector = await createDetector(db.pool, { serial: "MD-0001", model: "mD-3", firmware: "2.1.0", status: "deployed" });
            const certificate = certificateOf(device("MD-0001"));
            await registerDeviceCertificate(db.pool, { detectorId: detector.id, thingName: "MD-0001", certificateId: certificate.id, certificatePem: certificate.pem });
            registry = await startRegistryServer(db.pool);
            Object.assign(process.env, {
                DATA_LAKE_BUCKET: "lake", DATA_KEY_ARN: "arn:aws:kms:ap-southeast-2:123456789012:key/k", AWS_REGION: "ap-southeast-2",
                AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_ENDPOINT_URL_S3: endpoint,
                REGISTRY_FUNCTION: "mdetect-registry-access", AWS_ENDPOINT_URL_LAMBDA: registry.endpoint,
            });
        });
        after(async () => {
            process.env = saved;
            // The container keyring lives on globalThis; later suites must not inherit this test's registry.
            delete (globalThis as { mdetectDeviceKeyring?: unknown }).mdetectDeviceKeyring;
            await server.close();
            await registry?.close();
            await db?.drop();
            fs.rmSync(dir, { recursive: true, force: true });
        });

        it("ships the S3 and Lambda clients and leaves out packages it never loads", async () => {
            const fn = one(run, "aws:lambda/function:Function", "realtime-transform");
            const modules = Object.keys(await fn.inputs.code.assets).filter((k) => k.startsWith("node_modules/"));
            expect(modules).to.include("node_modules/@aws-sdk/client-s3");
            expect(modules).to.include("node_modules/@aws-sdk/client-lambda");
            for (const absent of ["mysql2", "@aws-sdk/client-kinesis", "@pulumi/policy"]) expect(modules).to.not.include(`node_modules/${absent}`);
        });

        it("runs self-contained on a Firehose event: rows to Firehose, the bad reading to quarantine/realtime/ in S3", async () => {
            const log = console.log;
            console.log = () => undefined;
            try {
                const handler = await loadSerializedHandler(one(run, "aws:lambda/function:Function", "realtime-transform"));
                const event = firehoseEvent([ndjson([reading(1, 1), reading(1, 2), { ...reading(1, 3), seq: -1 }])]);
                const response = await sdk.during(() => handler(event));
                expect(response.records).to.have.length(1);
                expect(response.records[0]).to.include({ recordId: event.records[0].recordId, result: "Ok" });
                expect(Buffer.from(response.records[0].data, "base64").toString().trimEnd().split("\n")).to.have.length(2);
                const client = new S3Client({ endpoint, forcePathStyle: true, requestHandler: new NodeHttpHandler() });
                const listed = await client.send(new ListObjectsV2Command({ Bucket: "lake", Prefix: "quarantine/realtime/" }));
                expect(listed.Contents).to.have.length(1);
                const body = await (await client.send(new GetObjectCommand({ Bucket: "lake", Key: listed.Contents![0].Key }))).Body!.transformToByteArray();
                expect(JSON.parse(gunzipSync(body).toString())).to.include({ kind: "out-of-range", line: 3 });

                // A second batch, from MD-0001's key but carrying MD-0002's readings: nothing reaches Firehose's
                // curated data. The container's keyring answers it without asking the registry again.
                const forged = await sdk.during(() => handler(firehoseEvent([sent(ndjson([reading(2, 1), reading(2, 2)]), arrivalOf(0), "MD-0001")], "inv-2")));
                expect(forged.records[0]).to.include({ result: "Ok", data: "" });
                expect(registry.calls).to.deep.equal(["deviceKeys"]);
                const after = await client.send(new ListObjectsV2Command({ Bucket: "lake", Prefix: "quarantine/realtime/" }));
                const bodies = await Promise.all(after.Contents!.map(async (o) => gunzipSync(await (await client.send(new GetObjectCommand({ Bucket: "lake", Key: o.Key }))).Body!.transformToByteArray()).toString()));
                expect(bodies.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l).kind).sort()).to.deep.equal(["identity-mismatch", "identity-mismatch", "out-of-range"]);
                client.destroy();
            } finally {
                console.log = log;
            }
        });
    });
});
