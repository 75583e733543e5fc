/**
 * Which AWS resource types carry tags. Shared by the tagging transform in infra/ and the
 * cost-tag rule in the pack, so both agree. Every type the program declares must be in one
 * of the two sets: a test fails on an unclassified type, so a new resource forces a decision.
 */
export const TAGGABLE_TYPES: ReadonlySet<string> = new Set([
    "aws:apigatewayv2/api:Api",
    "aws:apigatewayv2/stage:Stage",
    "aws:budgets/budget:Budget",
    "aws:cloudtrail/trail:Trail",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cognito/userPool:UserPool",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:iam/policy:Policy",
    "aws:iam/role:Role",
    "aws:iam/user:User",
    "aws:iot/policy:Policy",
    "aws:iot/roleAlias:RoleAlias",
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    "aws:kinesis/stream:Stream",
    "aws:kms/key:Key",
    "aws:lambda/function:Function",
    "aws:rds/instance:Instance",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketObjectv2:BucketObjectv2",
    "aws:sagemaker/endpoint:Endpoint",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
    "aws:sagemaker/model:Model",
    "aws:secretsmanager/secret:Secret",
    "aws:sns/topic:Topic",
    "aws:sqs/queue:Queue",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
]);

/** Types AWS cannot tag (sub-resources, attachments, account settings). */
export const UNTAGGABLE_TYPES: ReadonlySet<string> = new Set([
    "aws:apigatewayv2/authorizer:Authorizer",
    "aws:apigatewayv2/integration:Integration",
    "aws:apigatewayv2/route:Route",
    "aws:cloudwatch/dashboard:Dashboard",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:cloudwatch/logStream:LogStream",
    "aws:cognito/userGroup:UserGroup",
    "aws:cognito/userPoolClient:UserPoolClient",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
    "aws:iam/group:Group",
    "aws:iam/groupPolicy:GroupPolicy",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userGroupMembership:UserGroupMembership",
    "aws:kms/alias:Alias",
    "aws:lambda/eventSourceMapping:EventSourceMapping",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    "aws:lambda/invocation:Invocation",
    "aws:lambda/permission:Permission",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketNotification:BucketNotification",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:sqs/queuePolicy:QueuePolicy",
]);

/** Pulumi-only types (components, providers, the stack): not AWS resources at all. */
export function isAwsResourceType(type: string): boolean {
    return type.startsWith("aws:") && !type.startsWith("pulumi:providers:");
}
