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

/** Read calls that support no resource-level permissions, so only Resource "*" works. */
export const UNSCOPED_READS = [
    "sts:GetCallerIdentity",
    "ec2:DescribeAvailabilityZones", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules",
    "ec2:DescribeRouteTables", "ec2:DescribeVpcEndpoints", "ec2:DescribeNetworkInterfaces", "ec2:DescribePrefixLists", "ec2:DescribeVpcAttribute",
    "s3:ListAllMyBuckets", "kinesis:ListStreams", "firehose:ListDeliveryStreams", "lambda:ListFunctions", "sns:ListTopics", "sqs:ListQueues",
    "cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "cloudwatch:DescribeAlarms", "cloudwatch:ListDashboards",
    "logs:DescribeLogGroups", "events:ListRules", "sagemaker:ListEndpoints", "rds:DescribeDBEngineVersions",
    "cloudtrail:DescribeTrails", "cloudtrail:ListTrails", "kms:ListAliases", "kms:ListKeys", "secretsmanager:ListSecrets",
    "iam:GetAccountPasswordPolicy", "iam:ListOpenIDConnectProviders", "cognito-idp:ListUserPools", "iot:DescribeEndpoint",
];
