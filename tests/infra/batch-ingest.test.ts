import { expect } from "chai";
import { gzipSync } from "zlib";
import { PlannedResource, ProgramRun } from "../../scripts/lib/mock-run";
import { childrenOf, loadSerializedHandler, ofType, one, policyDoc, program } from "../helpers/program";
import { LocalS3, startLocalS3 } from "../helpers/s3";
import { recordSdkCalls } from "../helpers/aws-mock";
import { BATCH_MEMORY_MB, BATCH_TIMEOUT_SECONDS } from "../../infra/batch-ingest";
import { outputKeys, parseIncomingKey } from "../../functions/batch/keys";
import { ndjson, reading } from "../functions/realtime/fixtures";
import { objectCreated, put, read, readGzipText } from "../functions/batch/fixtures";
import { startRegistryServer, RegistryServer } from "../functions/realtime/registry-server";
import { TestDatabase, withTestDatabase } from "../helpers/db";
import { createClient, createDetector, createProject, createSite } from "../../functions/registry/catalog";
import { createDeployment } from "../../functions/registry/deployments";

const NAME = "mdetect-batch";
const COMPONENT = `mdetect:ingest:BatchIngest::${NAME}`;

function batch(run: ProgramRun, type: string, suffix = ""): PlannedResource {
    const found = childrenOf(run, COMPONENT).filter((r) => r.type === type && r.name === `${NAME}${suffix}`);
    expect(found, `${type} ${NAME}${suffix}`).to.have.length(1);
    return found[0];
}

const lakeArn = (run: ProgramRun) => one(run, "aws:s3/bucket:Bucket", "mdetect-data-lake").state.arn as string;
const lakeName = (run: ProgramRun) => one(run, "aws:s3/bucket:Bucket", "mdetect-data-lake").state.bucket as string;
const keyArn = (run: ProgramRun) => one(run, "aws:kms/key:Key").state.arn as string;

describe("infra: batch ingest", () => {
    it("routes Object Created events under incoming/ of the data lake, and nothing else, to the function", async () => {
        const run = await program();
        const rule = batch(run, "aws:cloudwatch/eventRule:EventRule");
        expect(JSON.parse(rule.inputs.eventPattern)).to.deep.equal({
            source: ["aws.s3"],
            "detail-type": ["Object Created"],
            detail: { bucket: { name: [lakeName(run)] }, object: { key: [{ prefix: "incoming/" }] } },
        });
        const fn = batch(run, "aws:lambda/function:Function");
        const target = batch(run, "aws:cloudwatch/eventTarget:EventTarget");
        expect(target.inputs).to.deep.include({ rule: rule.state.name, arn: fn.state.arn });
        expect(target.inputs.retryPolicy.maximumRetryAttempts).to.be.within(0, 185);
        expect(target.inputs.retryPolicy.maximumEventAgeInSeconds).to.be.within(60, 86400);
    });

    it("lets only this rule invoke the function", async () => {
        const run = await program();
        const permission = batch(run, "aws:lambda/permission:Permission");
        expect(permission.inputs).to.deep.include({
            action: "lambda:InvokeFunction",
            principal: "events.amazonaws.com",
            function: batch(run, "aws:lambda/function:Function").state.name,
            sourceArn: batch(run, "aws:cloudwatch/eventRule:EventRule").state.arn,
        });
    });

    it("keeps undeliverable events in a dead-letter queue only the rule may write", async () => {
        const run = await program();
        const queue = batch(run, "aws:sqs/queue:Queue", "-delivery-dlq");
        expect(batch(run, "aws:cloudwatch/eventTarget:EventTarget").inputs.deadLetterConfig).to.deep.equal({ arn: queue.state.arn });
        expect(queue.inputs.sqsManagedSseEnabled).to.equal(true);
        const [statement, ...rest] = policyDoc(batch(run, "aws:sqs/queuePolicy:QueuePolicy", "-delivery-dlq").inputs.policy).Statement;
        expect(rest).to.deep.equal([]);
        expect(statement).to.deep.include({ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queue.state.arn });
        expect(statement.Condition).to.deep.equal({ ArnEquals: { "aws:SourceArn": batch(run, "aws:cloudwatch/eventRule:EventRule").state.arn } });
    });

    it("sizes the function for several-GB files and keeps failed invocations in a KMS-encrypted DLQ", async () => {
        const run = await program({ "mdetect:logRetentionDays": 30 });
        const fn = batch(run, "aws:lambda/function:Function");
        expect(fn.inputs.memorySize).to.equal(BATCH_MEMORY_MB);
        expect(fn.inputs.timeout).to.equal(BATCH_TIMEOUT_SECONDS);
        // Lambda's limits: 128-10240 MB, at most 900 s.
        expect(BATCH_MEMORY_MB).to.be.within(128, 10240);
        expect(BATCH_TIMEOUT_SECONDS).to.be.at.most(900);
        const dlq = batch(run, "aws:sqs/queue:Queue", "-dlq");
        expect(fn.inputs.deadLetterConfig).to.deep.equal({ targetArn: dlq.state.arn });
        expect(dlq.inputs.kmsMasterKeyId).to.equal(keyArn(run));
        expect(batch(run, "aws:cloudwatch/logGroup:LogGroup", "-logs").inputs.retentionInDays).to.equal(30);
        const access = one(run, "aws:lambda/function:Function", "registry-access");
        expect(fn.inputs.environment.variables).to.deep.equal({ DATA_LAKE_BUCKET: lakeName(run), REGISTRY_FUNCTION: access.state.name });
    });

    it("grants exactly the prefixes and the key the function uses", async () => {
        const run = await program();
        const arn = lakeArn(run);
        const statements = policyDoc(batch(run, "aws:iam/rolePolicy:RolePolicy", "-policy").inputs.policy).Statement;
        const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
        expect(bySid.ReadUploads).to.deep.include({ Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `${arn}/incoming/*` });
        expect(bySid.WriteBatchOutputs.Action).to.have.members(["s3:PutObject", "s3:AbortMultipartUpload"]);
        expect(bySid.WriteBatchOutputs.Resource).to.have.members([`${arn}/curated/batch/*`, `${arn}/quarantine/batch/*`, `${arn}/raw/batch/*`]);
        expect(bySid.UseDataKey).to.deep.include({ Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: keyArn(run) });
        // Which detectors were deployed at the upload's site: through the registry access Lambda only.
        const invoke = statements.filter((s) => [s.Action].flat().includes("lambda:InvokeFunction"));
        expect(invoke.flatMap((s) => [s.Resource].flat())).to.deep.equal([one(run, "aws:lambda/function:Function", "registry-access").state.arn]);
        const actions = statements.flatMap((s) => [s.Action].flat());
        expect(actions.filter((a: string) => a.startsWith("s3:Delete")), "incoming/ expires by lifecycle, never deleted").to.deep.equal([]);
        for (const s of statements) {
            expect(s.Effect).to.equal("Allow");
            for (const resource of [s.Resource].flat()) expect(resource, `${s.Sid} resource`).to.be.a("string").and.not.equal("*");
            for (const action of [s.Action].flat()) expect(action, s.Sid).not.to.match(/\*$/);
        }
    });

    it("attaches no AWS-managed FullAccess policy to any role in the stack", async () => {
        const run = await program();
        const attachments = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            .filter((a) => /^arn:aws:iam::aws:policy\/.*FullAccess$/.test(String(a.inputs.policyArn)));
        expect(attachments.map((a) => `${a.name}: ${a.inputs.policyArn}`)).to.deep.equal([]);
        for (const role of ofType(run, "aws:iam/role:Role")) {
            const managed: string[] = role.inputs.managedPolicyArns ?? [];
            expect(managed.filter((p) => /FullAccess$/.test(p)), role.name).to.deep.equal([]);
        }
    });

    describe("the serialized handler", () => {
        // What the deployed code calls, for the role's IAM table (batch-ingest.iam.test.ts).
        const sdk = recordSdkCalls("batch-ingest");
        let s3: LocalS3;
        let db: TestDatabase;
        let registry: RegistryServer;
        let siteId = "";
        const saved = { ...process.env };

        before(async function () {
            const run = await program();
            s3 = await startLocalS3([lakeName(run)]);
            // The registry: MD-0004 deployed at the site since 2025; MD-0005 is another client's detector elsewhere.
            db = await withTestDatabase();
            const client = await createClient(db.pool, { name: "Client A" });
            const project = await createProject(db.pool, { clientId: client.id, name: "Ridge" });
            const site = await createSite(db.pool, { name: "Ridge adit", kind: "tunnel", latitude: -37.8, longitude: 145, depthM: 120 });
            const detector = await createDetector(db.pool, { serial: "MD-0004", model: "mD-3", firmware: "2.1.0", status: "deployed" });
            await createDeployment(db.pool, { detectorId: detector.id, siteId: site.id, projectId: project.id, startsAt: new Date("2025-01-01T00:00:00Z"), status: "active" });
            siteId = site.id;
            registry = await startRegistryServer(db.pool);
            Object.assign(process.env, {
                S3_ENDPOINT: s3.endpoint, AWS_REGION: "ap-southeast-2", AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER",
                DATA_LAKE_BUCKET: lakeName(run), REGISTRY_FUNCTION: "mdetect-registry-access", AWS_ENDPOINT_URL_LAMBDA: registry.endpoint,
            });
        });
        after(async () => {
            process.env = saved;
            await s3?.stop();
            await registry?.close();
            await db?.drop();
        });

        it("converts an upload on its own, loaded without the repository's sources, keeping only the site's detectors", async () => {
            const run = await program();
            const bucket = lakeName(run);
            const handler = await loadSerializedHandler(batch(run, "aws:lambda/function:Function"));
            const key = `incoming/${siteId}/serialized.ndjson.gz`;
            const good = Array.from({ length: 20 }, (_, i) => reading(4, i + 1));
            await put(s3, bucket, key, gzipSync(Buffer.from(ndjson([...good, { ...good[0], seq: 99, zenith_deg: -1 }, reading(5, 1)]))));

            const result = await sdk.during(() => handler(objectCreated(bucket, key, "v1")));

            const keys = outputKeys(parseIncomingKey(key), "v1");
            expect(result).to.deep.include({ sourceKey: key, rowsIn: 22, rowsOut: 20, rowsQuarantined: 2, outputs: keys });
            expect(result.reasons).to.deep.equal({ "out-of-range": 1, "identity-mismatch": 1 });
            expect(registry.calls).to.deep.equal(["siteDeployments"]);
            const csv = (await readGzipText(s3, bucket, keys.curated)).trim().split("\n");
            expect(csv).to.have.length(21);
            expect(JSON.parse((await read(s3, bucket, keys.manifest)).toString("utf8")).rowsOut).to.equal(20);
        });
    });
});
