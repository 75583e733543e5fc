/**
 * CiDeploy: GitHub Actions deploys without long-lived keys. GitHub's OIDC provider (or the
 * account's existing one), a deploy role only the configured repository's protected deploy
 * environment can assume, and a read-only role for pull-request previews.
 *
 * Bootstrap: the first `pulumi up` (which creates these roles) is run by an admin; from then on
 * CI assumes the deploy role. See docs/governance.md.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONFIGURATION_READS, DEPLOY_UNSCOPED_CALLS, GUARDRAIL_PATH, STACK_SERVICES, Statement, UNSCOPED_READS, guardrailStatements, policyDocument, stackResourcePatterns } from "./iam";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** The audience aws-actions/configure-aws-credentials requests. */
export const STS_AUDIENCE = "sts.amazonaws.com";
/** A deploy with Pulumi (RDS, SageMaker endpoints) can take most of an hour. */
const DEPLOY_SESSION_SECONDS = 2 * 3600;
/** A preview is quick; the minimum session keeps its credentials short-lived. */
const PREVIEW_SESSION_SECONDS = 3600;

/**
 * What even a deploy must never do: mint long-lived credentials or a console password. The
 * guardrails (blind the trail, rewrite the audit log, loosen the MFA policy or the boundary,
 * change its own role) are in `guardrailStatements`, shared with the permissions boundary.
 */
const DEPLOY_DENIED = [
    "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:CreateServiceSpecificCredential",
];

/** Read calls that return data rather than configuration: a preview needs none of them. */
const PREVIEW_DENIED = [
    "kinesis:GetRecords", "kinesis:GetShardIterator", "secretsmanager:GetSecretValue",
    "logs:GetLogEvents", "logs:GetLogRecord", "logs:GetQueryResults", "sqs:ReceiveMessage",
    // Client e-mail addresses are personal data: Cognito users and SNS subscribers are not listed.
    "cognito-idp:List*", "cognito-idp:AdminGetUser", "sns:ListSubscriptions*",
];

export interface CiDeployArgs {
    /** owner/name */
    readonly repository: string;
    /** The GitHub environment the deploy job runs in: its token's subject names it. */
    readonly deployEnvironment: string;
    /** GitHub's provider if the account has it already (account singleton); undefined: create it. */
    readonly existingProviderArn?: string;
    /** The boundary every role of the stack carries, and the guardrails it shares with the deploy role. */
    readonly boundary: DeployBoundary;
    /** The Pulumi state bucket and the `awskms://` secrets key a preview reads; unset: none. */
    readonly stateBucketName?: string;
    readonly secretsKeyArn?: string;
    /** The data lake: a preview never reads its objects. */
    readonly dataLakeBucketArn: pulumi.Input<string>;
}

/** The trust policy: only tokens for `sub`, minted for STS, from GitHub's provider. */
export function githubTrust(providerArn: pulumi.Input<string>, sub: string): pulumi.Output<string> {
    return policyDocument([{
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE, [`${GITHUB_OIDC_HOST}:sub`]: sub } },
    }]);
}

/**
 * GitHub's subject claim for a job that names an environment: `repo:<owner>/<repo>:environment:<name>`
 * (GitHub docs, "About security hardening with OpenID Connect", example subject claims). The
 * environment, not the branch, is in the claim, so the environment's protection rules (deploy
 * branch main, required reviewers) are what gate the role.
 */
export function environmentSubject(repository: string, environment: string): string {
    return `repo:${repository}:environment:${environment}`;
}

export class CiDeploy extends pulumi.ComponentResource {
    /** GitHub's provider ARN, created here or configured. */
    public readonly providerArn: pulumi.Output<string>;
    public readonly deployRole: aws.iam.Role;
    public readonly previewRole: aws.iam.Role;

    constructor(name: string, args: CiDeployArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:governance:CiDeploy", name, {}, opts);
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const stackResources = stackResourcePatterns(partition, region, account);

        // One provider per account per URL: creating it again fails with EntityAlreadyExists,
        // so a configured ARN is used as is. No thumbprint: for GitHub, IAM validates the
        // certificate against its own trusted CAs and ignores any thumbprint list.
        this.providerArn = args.existingProviderArn
            ? pulumi.output(args.existingProviderArn)
            : new aws.iam.OpenIdConnectProvider(`${name}-github`, { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: [STS_AUDIENCE] }, { parent: this }).arn;

        // Pulumi creates, updates, tags and deletes every resource type of this stack, so the
        // deploy role gets the full lifecycle of exactly this stack's services (enumerating
        // actions per provider release breaks deploys), confined to this account and region,
        // plus the calls AWS authorizes only on "*"; never the guardrails.
        this.deployRole = new aws.iam.Role(`${name}-deploy`, {
            description: `pulumi up from ${args.repository}, environment ${args.deployEnvironment} (GitHub Actions OIDC)`,
            assumeRolePolicy: githubTrust(this.providerArn, environmentSubject(args.repository, args.deployEnvironment)),
            maxSessionDuration: DEPLOY_SESSION_SECONDS,
        }, { parent: this });
        const self = pulumi.interpolate`arn:${partition}:iam::${account}:role/${this.deployRole.name}`;
        new aws.iam.RolePolicy(`${name}-deploy-policy`, {
            role: this.deployRole.id,
            policy: policyDocument([
                { Sid: "ManageStackServices", Effect: "Allow", Action: STACK_SERVICES.map((s) => `${s}:*`), Resource: stackResources },
                { Sid: "CallsWithoutResourceLevelPermissions", Effect: "Allow", Action: DEPLOY_UNSCOPED_CALLS, Resource: "*" },
                { Sid: "UnscopedReads", Effect: "Allow", Action: UNSCOPED_READS, Resource: "*" },
                { Sid: "NoLongLivedCredentials", Effect: "Deny", Action: DEPLOY_DENIED, Resource: "*" },
                { Sid: "NeverChangeItself", Effect: "Deny", Action: "iam:*", Resource: self },
                ...args.boundary.guardrails,
            ]),
        }, { parent: this });

        // `pulumi preview` reads configuration and its own state only (it takes no state lock:
        // pulumi/pulumi#8642), and decrypts the stack's secrets with the awskms:// key.
        this.previewRole = new aws.iam.Role(`${name}-preview`, {
            description: `pulumi preview for pull requests on ${args.repository} (read-only)`,
            assumeRolePolicy: githubTrust(this.providerArn, `repo:${args.repository}:pull_request`),
            maxSessionDuration: PREVIEW_SESSION_SECONDS,
        }, { parent: this });
        const previewStatements: Statement[] = [
            { Sid: "ReadStackConfiguration", Effect: "Allow", Action: CONFIGURATION_READS, Resource: stackResources },
            { Sid: "UnscopedReads", Effect: "Allow", Action: UNSCOPED_READS, Resource: "*" },
        ];
        if (args.stateBucketName) {
            const state = `arn:aws:s3:::${args.stateBucketName}`;
            previewStatements.push({ Sid: "ReadPulumiState", Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"], Resource: [state, `${state}/*`] });
        }
        if (args.secretsKeyArn) {
            previewStatements.push({ Sid: "DecryptStackSecrets", Effect: "Allow", Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: args.secretsKeyArn });
        }
        previewStatements.push(
            { Sid: "NoDataLakeObjects", Effect: "Deny", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: pulumi.interpolate`${args.dataLakeBucketArn}/*` },
            { Sid: "NoDataReads", Effect: "Deny", Action: PREVIEW_DENIED, Resource: "*" },
        );
        new aws.iam.RolePolicy(`${name}-preview-policy`, { role: this.previewRole.id, policy: policyDocument(previewStatements) }, { parent: this });

        this.registerOutputs({ deployRoleArn: this.deployRole.arn, previewRoleArn: this.previewRole.arn });
    }
}

/**
 * The permissions boundary of every role this stack creates, and the guardrails it shares with
 * the deploy role. The deploy role may create a role only with this boundary (iam:PermissionsBoundary)
 * and never remove it, so no role it creates can reach beyond this stack's services or undo
 * the guardrails. Its policy lives under GUARDRAIL_PATH, which nothing the deploy role holds may edit.
 */
export interface DeployBoundaryArgs {
    readonly trailName: string;
    readonly auditBucketArn: pulumi.Input<string>;
}

export class DeployBoundary extends pulumi.ComponentResource {
    public readonly policy: aws.iam.Policy;
    public readonly arn: pulumi.Output<string>;
    public readonly guardrails: Statement[];

    constructor(name: string, args: DeployBoundaryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:governance:DeployBoundary", name, {}, opts);
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const policyName = `${name}-${pulumi.getStack()}`;
        this.arn = pulumi.interpolate`arn:${partition}:iam::${account}:policy${GUARDRAIL_PATH}${policyName}`;
        this.guardrails = guardrailStatements({
            partition, account, region, trailName: args.trailName, auditBucketArn: args.auditBucketArn, boundaryArn: this.arn,
        });
        this.policy = new aws.iam.Policy(name, {
            name: policyName,
            path: GUARDRAIL_PATH,
            description: "Permissions boundary of every role of the mDetect stack: its services only, never its guardrails",
            policy: policyDocument([
                { Sid: "AtMostTheStackServices", Effect: "Allow", Action: [...STACK_SERVICES.map((s) => `${s}:*`), "rds-db:connect", "sts:GetCallerIdentity"], Resource: "*" },
                ...this.guardrails,
            ]),
        }, { parent: this });
        this.registerOutputs({ arn: this.arn });
    }
}
