/**
 * CiDeploy: GitHub Actions deploys without long-lived keys. GitHub's OIDC provider, a deploy
 * role only the configured repository's deploy branch can assume, and a read-only role for
 * pull-request previews.
 *
 * Bootstrap: the first `pulumi up` (which creates these roles) is run by an admin; from then on
 * CI assumes the deploy role. See docs/governance.md.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { STACK_SERVICES, UNSCOPED_READS, policyDocument, stackResourcePatterns } from "./iam";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** The audience aws-actions/configure-aws-credentials requests. */
export const STS_AUDIENCE = "sts.amazonaws.com";
/** A deploy with Pulumi (RDS, SageMaker endpoints) can take most of an hour. */
const DEPLOY_SESSION_SECONDS = 2 * 3600;
/** A preview is quick; the minimum session keeps its credentials short-lived. */
const PREVIEW_SESSION_SECONDS = 3600;

/**
 * What even a deploy must never do: mint long-lived credentials or a console password, or blind
 * the audit trail. Tearing the trail down is an admin's job, with MFA.
 */
const DEPLOY_DENIED = [
    "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
    "iam:CreateServiceSpecificCredential", "cloudtrail:StopLogging", "cloudtrail:DeleteTrail",
];

/** Read calls that return data rather than configuration: a preview needs none of them. */
const PREVIEW_DENIED = [
    "s3:GetObject", "s3:GetObjectVersion", "kinesis:GetRecords", "kinesis:GetShardIterator", "secretsmanager:GetSecretValue",
    "logs:GetLogEvents", "logs:GetLogRecord", "logs:GetQueryResults", "sqs:ReceiveMessage",
];

export interface CiDeployArgs {
    /** owner/name */
    readonly repository: string;
    readonly deployBranch: string;
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

export class CiDeploy extends pulumi.ComponentResource {
    public readonly provider: aws.iam.OpenIdConnectProvider;
    public readonly deployRole: aws.iam.Role;
    public readonly previewRole: aws.iam.Role;

    constructor(name: string, args: CiDeployArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:governance:CiDeploy", name, {}, opts);
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const stackResources = stackResourcePatterns(partition, region, account);

        // No thumbprint: for GitHub, IAM validates the certificate against its own trusted CAs
        // and ignores any thumbprint list (provider docs), so a pinned one only goes stale.
        this.provider = new aws.iam.OpenIdConnectProvider(`${name}-github`, {
            url: `https://${GITHUB_OIDC_HOST}`,
            clientIdLists: [STS_AUDIENCE],
        }, { parent: this });

        // Pulumi creates, updates, tags and deletes every resource type of this stack, so the
        // deploy role gets the full lifecycle of exactly this stack's services (enumerating
        // actions per provider release breaks deploys), confined to this account and region.
        this.deployRole = new aws.iam.Role(`${name}-deploy`, {
            description: `pulumi up from ${args.repository}@${args.deployBranch} (GitHub Actions OIDC)`,
            assumeRolePolicy: githubTrust(this.provider.arn, `repo:${args.repository}:ref:refs/heads/${args.deployBranch}`),
            maxSessionDuration: DEPLOY_SESSION_SECONDS,
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-deploy-policy`, {
            role: this.deployRole.id,
            policy: policyDocument([
                { Sid: "ManageStackServices", Effect: "Allow", Action: STACK_SERVICES.map((s) => `${s}:*`), Resource: stackResources },
                { Sid: "UnscopedReads", Effect: "Allow", Action: UNSCOPED_READS, Resource: "*" },
                { Sid: "NoLongLivedCredentialsNoBlindTrail", Effect: "Deny", Action: DEPLOY_DENIED, Resource: "*" },
            ]),
        }, { parent: this });

        // `pulumi preview` reads configuration only (and with --refresh, current state).
        this.previewRole = new aws.iam.Role(`${name}-preview`, {
            description: `pulumi preview for pull requests on ${args.repository} (read-only)`,
            assumeRolePolicy: githubTrust(this.provider.arn, `repo:${args.repository}:pull_request`),
            maxSessionDuration: PREVIEW_SESSION_SECONDS,
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-preview-policy`, {
            role: this.previewRole.id,
            policy: policyDocument([
                {
                    Sid: "ReadStackConfiguration",
                    Effect: "Allow",
                    Action: STACK_SERVICES.flatMap((s) => [`${s}:Describe*`, `${s}:List*`, `${s}:Get*`]),
                    Resource: stackResources,
                },
                { Sid: "UnscopedReads", Effect: "Allow", Action: UNSCOPED_READS, Resource: "*" },
                { Sid: "NoDataReads", Effect: "Deny", Action: PREVIEW_DENIED, Resource: "*" },
            ]),
        }, { parent: this });

        this.registerOutputs({ deployRoleArn: this.deployRole.arn, previewRoleArn: this.previewRole.arn });
    }
}
