/**
 * IAM building blocks shared by people's groups and the CI roles: the services this stack
 * uses, resource patterns confined to this account and region, and the few read calls AWS
 * only authorizes on Resource "*".
 */
import * as pulumi from "@pulumi/pulumi";

export interface Statement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Action?: string | string[];
    readonly NotAction?: string[];
    readonly NotResource?: pulumi.Input<string> | pulumi.Input<string>[];
    readonly Principal?: Record<string, unknown>;
    readonly Resource?: pulumi.Input<string> | pulumi.Input<string>[];
    readonly Condition?: Record<string, unknown>;
}

export function policyDocument(statements: Statement[]): pulumi.Output<string> {
    return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** IAM service prefixes of every AWS service the program declares resources in. */
export const STACK_SERVICES = [
    "apigateway", "budgets", "cloudtrail", "cloudwatch", "cognito-idp", "ec2", "events", "firehose", "iam", "iot", "kinesis",
    "kms", "lambda", "logs", "rds", "s3", "sagemaker", "secretsmanager", "sns", "sqs",
] as const;

/**
 * ARN patterns for this account in this region, plus the ARN shapes that carry no region
 * (IAM, budgets, dashboards), no account (S3 buckets, API Gateway) or neither.
 */
export function stackResourcePatterns(partition: pulumi.Input<string>, region: pulumi.Input<string>, account: pulumi.Input<string>): pulumi.Output<string>[] {
    return [
        pulumi.interpolate`arn:${partition}:*:${region}:${account}:*`,
        pulumi.interpolate`arn:${partition}:iam::${account}:*`,
        pulumi.interpolate`arn:${partition}:budgets::${account}:*`,
        pulumi.interpolate`arn:${partition}:cloudwatch::${account}:dashboard/*`,
        pulumi.interpolate`arn:${partition}:s3:::*`,
        pulumi.interpolate`arn:${partition}:apigateway:${region}::/*`,
    ];
}

/**
 * What reading this stack's configuration takes, per service: only patterns that match real
 * actions (`apigateway:GET`, `budgets:ViewBudget`: neither service has Describe*), and none
 * that returns data (objects, records, secrets, log events, EC2 passwords) or people's personal
 * data (Cognito users, SNS subscriber endpoints). tests/infra/governance/ci-deploy.iam.test.ts
 * checks every pattern against the service authorization reference (iam-data).
 */
export const CONFIGURATION_READS = [
    "apigateway:GET",
    "budgets:ViewBudget", "budgets:ListTagsForResource",
    "cloudtrail:Describe*", "cloudtrail:GetTrail", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors", "cloudtrail:GetInsightSelectors", "cloudtrail:ListTags",
    "cloudwatch:Describe*", "cloudwatch:GetDashboard", "cloudwatch:GetMetricData", "cloudwatch:ListTagsForResource",
    "cognito-idp:DescribeUserPool", "cognito-idp:DescribeUserPoolClient", "cognito-idp:GetGroup", "cognito-idp:GetUserPoolMfaConfig",
    "ec2:Describe*",
    "events:Describe*", "events:ListTargetsByRule", "events:ListTagsForResource",
    "firehose:DescribeDeliveryStream", "firehose:ListTagsForDeliveryStream",
    "iam:Get*", "iam:List*",
    "iot:Describe*", "iot:GetPolicy", "iot:ListTagsForResource",
    "kinesis:Describe*", "kinesis:ListTagsForStream", "kinesis:ListTagsForResource",
    "kms:Describe*", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:ListAliases",
    "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:GetFunctionCodeSigningConfig", "lambda:GetFunctionConcurrency", "lambda:GetPolicy", "lambda:ListVersionsByFunction", "lambda:ListTags",
    "logs:Describe*", "logs:ListTagsForResource", "logs:ListTagsLogGroup",
    "rds:Describe*", "rds:ListTagsForResource",
    "s3:GetBucket*", "s3:Get*Configuration", "s3:ListBucket",
    "sagemaker:Describe*", "sagemaker:ListTags",
    "secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy",
    "sns:GetTopicAttributes", "sns:GetDataProtectionPolicy", "sns:ListTagsForResource",
    "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags",
];

/**
 * Calls a `pulumi up` of this stack makes that support no resource-level permission (the
 * service authorization reference lists no resource type for them), so only Resource "*"
 * authorizes them. Derived per planned resource type in tests/infra/governance/deploy-calls.ts
 * and checked against iam-data there.
 */
export const DEPLOY_UNSCOPED_CALLS = [
    "kms:CreateKey",
    "cognito-idp:CreateUserPool", "cognito-idp:DescribeUserPoolDomain",
    "iam:UpdateAccountPasswordPolicy", "iam:DeleteAccountPasswordPolicy", "iam:GetAccountPasswordPolicy",
    // HTTP API access logs: API Gateway delivers to CloudWatch Logs through a log delivery.
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries",
    "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DeleteResourcePolicy",
    "lambda:CreateEventSourceMapping", "lambda:GetAccountSettings",
    "kinesis:DescribeLimits", "kinesis:EnableEnhancedMonitoring", "kinesis:DisableEnhancedMonitoring", "kinesis:UpdateShardCount", "kinesis:UpdateStreamMode",
    "events:PutPermission", "events:RemovePermission",
    "iot:DescribeEndpoint",
];

/** Read calls that support no resource-level permissions, so only Resource "*" works. */
export const UNSCOPED_READS = [
    "sts:GetCallerIdentity",
    "ec2:DescribeAvailabilityZones", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules",
    "ec2:DescribeRouteTables", "ec2:DescribeVpcEndpoints", "ec2:DescribeNetworkInterfaces", "ec2:DescribePrefixLists", "ec2:DescribeVpcAttribute",
    "s3:ListAllMyBuckets", "kinesis:ListStreams", "firehose:ListDeliveryStreams", "lambda:ListFunctions", "sns:ListTopics", "sqs:ListQueues",
    "cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "cloudwatch:DescribeAlarms", "cloudwatch:ListDashboards",
    "logs:DescribeLogGroups", "events:ListRules", "sagemaker:ListEndpoints", "rds:DescribeDBEngineVersions",
    "cloudtrail:DescribeTrails", "cloudtrail:ListTrails", "kms:ListAliases", "kms:ListKeys", "secretsmanager:ListSecrets",
    "iam:GetAccountPasswordPolicy", "iam:ListOpenIDConnectProviders", "iam:ListUsers", "iam:ListGroups", "cognito-idp:ListUserPools", "iot:DescribeEndpoint",
];

/** Path of the policies nothing in the stack may edit or detach: the MFA policy and the role boundary. */
export const GUARDRAIL_PATH = "/mdetect/guardrails/";

export interface GuardrailArgs {
    readonly partition: pulumi.Input<string>;
    readonly account: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    readonly trailName: string;
    readonly auditBucketArn: pulumi.Input<string>;
    readonly boundaryArn: pulumi.Input<string>;
}

/**
 * What no deploy and no role the stack creates may do: create a role without the boundary or
 * lift it, edit or detach a guardrail policy, blind or redirect the trail, rewrite or expose
 * the audit log. Tearing any of it down is an admin's job outside CI (docs/governance.md).
 */
export function guardrailStatements(a: GuardrailArgs): Statement[] {
    const guardrailPolicies = pulumi.interpolate`arn:${a.partition}:iam::${a.account}:policy${GUARDRAIL_PATH}*`;
    return [
        {
            Sid: "RolesOnlyWithTheBoundary",
            Effect: "Deny",
            Action: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
            Resource: "*",
            Condition: { StringNotEquals: { "iam:PermissionsBoundary": a.boundaryArn } },
        },
        { Sid: "NeverLiftTheBoundary", Effect: "Deny", Action: "iam:DeleteRolePermissionsBoundary", Resource: "*" },
        {
            Sid: "NeverEditGuardrailPolicies",
            Effect: "Deny",
            Action: ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"],
            Resource: guardrailPolicies,
        },
        {
            Sid: "NeverDetachGuardrailPolicies",
            Effect: "Deny",
            Action: ["iam:DetachGroupPolicy", "iam:DetachRolePolicy", "iam:DetachUserPolicy"],
            Resource: "*",
            Condition: { ArnLike: { "iam:PolicyARN": guardrailPolicies } },
        },
        {
            Sid: "NeverBlindTheTrail",
            Effect: "Deny",
            Action: ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors", "cloudtrail:PutInsightSelectors"],
            Resource: "*",
        },
        {
            Sid: "NeverRewriteTheAuditLog",
            Effect: "Deny",
            Action: ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject", "s3:PutObjectAcl", "s3:BypassGovernanceRetention"],
            Resource: pulumi.interpolate`${a.auditBucketArn}/*`,
        },
        {
            Sid: "NeverLoosenTheAuditBucket",
            Effect: "Deny",
            Action: ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:DeleteBucket", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration", "s3:PutBucketAcl", "s3:PutBucketOwnershipControls", "s3:PutBucketPublicAccessBlock"],
            Resource: a.auditBucketArn,
        },
    ];
}

/** Every IAM role registered after this call carries `boundaryArn` (the deploy role may create no other). */
export function requirePermissionsBoundary(boundaryArn: pulumi.Input<string>): void {
    pulumi.runtime.registerStackTransformation((args) => {
        if (args.type !== "aws:iam/role:Role") return undefined;
        return { props: { ...args.props, permissionsBoundary: boundaryArn }, opts: args.opts };
    });
}
