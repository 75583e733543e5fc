/** Small stand-alone pieces for the emulator tests (the end-to-end tests use the program's plan). */
import { expect } from "chai";
import { ListObjectsV2Command, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { gunzipSync } from "zlib";
import { iamAuthorizer } from "../../../scripts/lib/local/iam";
import { LocalPlan, PolicyDocument, readPlan } from "../../../scripts/lib/local/plan";
import { LocalCloud, localRunConfig } from "../../../scripts/lib/local/cloud";
import { LocalModel, localModel } from "../../../scripts/lib/local/model";
import { program } from "../../helpers/program";
import type { ProgramRun } from "../../../scripts/lib/mock-run";
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

/**
 * Where each real-time reading ended up, by `detector#seq`: "curated", "quarantine:<kind>",
 * or "processing-failed" (Firehose's error output, decoded from rawData).
 */
export async function realtimeOutcomes(client: S3Client, bucket: string): Promise<Map<string, string[]>> {
    const seen = new Map<string, string[]>();
    const note = (id: string, where: string) => seen.set(id, [...(seen.get(id) ?? []), where]);
    const idOf = (text: string) => `${/"detector_id":"(MD-\d+)"/.exec(text)?.[1]}#${/"seq":(\d+)/.exec(text)?.[1]}`;
    for (const o of await objects(client, bucket, "curated/realtime/")) {
        for (const row of o.body.split("\n").filter(Boolean)) {
            const [detector, , seq] = row.split(",");
            note(`${detector}#${seq}`, "curated");
        }
    }
    for (const o of await objects(client, bucket, "quarantine/realtime/")) {
        for (const line of o.body.split("\n").filter(Boolean)) {
            const q = JSON.parse(line);
            note(idOf(q.raw), `quarantine:${q.kind}`);
        }
    }
    for (const o of await objects(client, bucket, "quarantine/firehose-errors/")) {
        for (const line of o.body.split("\n").filter(Boolean)) {
            const raw = Buffer.from(JSON.parse(line).rawData, "base64").toString("utf8");
            // The record as the detector put it: its signature line (a JWS), then the readings.
            for (const reading of raw.split("\n").filter((l) => l.startsWith("{"))) note(idOf(reading), "processing-failed");
        }
    }
    return seen;
}

/** A reader of the whole data lake (tests only), as a session of some role of the plan. */
export function lakeReader(cloud: { principals: Principals; s3: LocalS3; plan: { roles: readonly { arn: string }[] } }, bucket: string): S3Client {
    return clientFor(cloud.s3.url, cloud.principals.issue("test reader", cloud.plan.roles[0].arn, [{
        name: "read-lake", policy: { Version: "2012-10-17", Statement: [
            { Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] },
            { Effect: "Allow", Action: "kms:Decrypt", Resource: "*" },
        ] },
    }]));
}

/** The program's run and plan for a local run with a model (localRunConfig) and `config` on top, and the model; one mock run per config and process. */
export async function inferencePlan(config: Record<string, unknown> = {}): Promise<{ plan: LocalPlan; model: LocalModel; run: ProgramRun }> {
    const model = await localModel();
    const run = await program({ ...localRunConfig(model), ...config });
    return { plan: readPlan(run), model, run };
}

/** A started local cloud with the example model (and `config` on the run's), its data-lake bucket, a reader of it and the program run it came from. */
export async function startInferenceCloud(config: Record<string, unknown> = {}): Promise<{ cloud: LocalCloud; bucket: string; reader: S3Client; run: ProgramRun }> {
    const { plan, model, run } = await inferencePlan(config);
    const cloud = new LocalCloud(plan, { model });
    await cloud.start();
    const bucket = cloud.plan.buckets.find((b) => b.eventBridge)!.name;
    return { cloud, bucket, reader: lakeReader(cloud, bucket), run };
}

export interface FindingRow { readonly id: string; readonly detector: string; readonly seq: number; readonly timestamp: string; readonly severity: string; readonly clientId: string; readonly projectId: string; readonly key: string }

/** Every row of every client's findings object (findings/<client>/<project>/<date>/<HH>/...), with `id` = `detector#seq`. */
export async function findingRows(client: S3Client, bucket: string): Promise<FindingRow[]> {
    const out: FindingRow[] = [];
    for (const o of await objects(client, bucket, "findings/")) {
        const [, clientId, projectId] = o.key.split("/");
        for (const line of o.body.split("\n").filter(Boolean).slice(1)) {
            const [detector, timestamp, seq, , severity] = line.split(",");
            out.push({ id: `${detector}#${seq}`, detector, seq: Number(seq), timestamp, severity, clientId, projectId, key: o.key });
        }
    }
    return out;
}

/** The plan's inference function: the target of the rule on curated objects. */
export function inferenceFunction(cloud: LocalCloud): LocalPlan["functions"][number] {
    const rule = cloud.plan.rules.find((r) => JSON.stringify(r.eventPattern ?? {}).includes("curated/"))!;
    return cloud.plan.functions.find((f) => f.arn === rule.targets[0].arn)!;
}

/**
 * Each reading the fleet sent came out exactly once, where the contract puts it: curated, or
 * quarantined with its bad kind, or (`processingFailed`) whole under Firehose's processing-failed
 * error output; and every curated reading has exactly one finding row. The ids that ended as processing failures.
 */
export async function expectNothingLost(cloud: LocalCloud, reader: S3Client, bucket: string, processingFailed: boolean): Promise<string[]> {
    const seen = await realtimeOutcomes(reader, bucket);
    const allowed = (bad?: string) => [bad ? `quarantine:${bad}` : "curated", ...(processingFailed ? ["processing-failed"] : [])];
    const wrong = cloud.fleet!.sent.map((r) => [`${r.detector}#${r.seq}`, seen.get(`${r.detector}#${r.seq}`) ?? [], allowed(r.bad)] as const)
        .filter(([, where, ok]) => where.length !== 1 || !ok.includes(where[0])).map(([id, where]) => `${id}: ${where.join(", ") || "nowhere"}`);
    expect(wrong, "readings not exactly once where they belong").to.deep.equal([]);
    const sent = new Set(cloud.fleet!.sent.map((r) => `${r.detector}#${r.seq}`));
    expect([...seen].filter(([id]) => !sent.has(id)), "nothing came out that was not sent").to.deep.equal([]);
    const curated = [...seen].filter(([, where]) => where.includes("curated")).map(([id]) => id).sort();
    expect((await findingRows(reader, bucket)).map((r) => r.id).sort(), "every curated reading has exactly one finding row").to.deep.equal(curated);
    return [...seen].filter(([, where]) => where.includes("processing-failed")).map(([id]) => id);
}
