/**
 * People, proven by evaluation: each group's documented job with MFA (docs/governance.md),
 * only self-service on one's own user without it, and no escalation. alice: admins+analysts,
 * bob: data-engineers, carol.oneil: analysts (GOVERNANCE). Every user is at path /mdetect/.
 */
import { ACCESS_KEY, MFA, NO_MFA, Row, iamTable } from "../../helpers/iam";
import { GOVERNANCE } from "./config";

const DEVICE = "arn:aws:iam::<account>:mfa/alice-phone";
const LAKE = "<bucket:data-lake>";

/** What every person may do on their own user, before any MFA exists. */
const selfService = (user: string, context: typeof NO_MFA): Row[] => [
    [`user:${user}`, "iam:GetUser", `<user:${user}>`, context, "Allow"],
    [`user:${user}`, "iam:ListMFADevices", `<user:${user}>`, context, "Allow"],
    [`user:${user}`, "iam:ChangePassword", `<user:${user}>`, context, "Allow"],
    [`user:${user}`, "iam:GetAccountPasswordPolicy", "*", context, "Allow"],
    [`user:${user}`, "iam:ListVirtualMFADevices", "*", context, "Allow"],
];
/** Enrolling a device: with a console password, never with a long-term key alone. */
const enrollment = (user: string, context: typeof NO_MFA, decision: "Allow" | "ExplicitDeny"): Row[] => [
    [`user:${user}`, "iam:CreateVirtualMFADevice", `arn:aws:iam::<account>:mfa/${user}-phone`, context, decision],
    [`user:${user}`, "iam:EnableMFADevice", `<user:${user}>`, context, decision],
    [`user:${user}`, "iam:ResyncMFADevice", `<user:${user}>`, context, decision],
];
/** Someone else's user: never, whatever the session. */
const othersUser = (user: string, other: string, context: typeof NO_MFA): Row[] => [
    [`user:${user}`, "iam:EnableMFADevice", `<user:${other}>`, context, "Deny"],
    [`user:${user}`, "iam:ResyncMFADevice", `<user:${other}>`, context, "Deny"],
    [`user:${user}`, "iam:ChangePassword", `<user:${other}>`, context, "Deny"],
    // Admins list anyone's devices with MFA (looking after people); before MFA nobody does.
    ...(user === "alice" && context === MFA ? [] : [[`user:${user}`, "iam:ListMFADevices", `<user:${other}>`, context, "Deny"] as Row]),
];
/** A path-less ARN of the same name is another user (the defect: `user/${aws:username}`). */
const pathless = (user: string): Row[] => [
    [`user:${user}`, "iam:EnableMFADevice", `arn:aws:iam::<account>:user/${user}`, NO_MFA, "Deny"],
];
/** Without MFA, every group's job is refused. */
const jobWithoutMfa = (user: string, context: typeof NO_MFA): Row[] => [
    [`user:${user}`, "s3:GetObject", `${LAKE}/curated/batch/site-1.csv`, context, "ExplicitDeny"],
    [`user:${user}`, "s3:ListBucket", LAKE, { ...context, "s3:prefix": "curated/" }, "ExplicitDeny"],
    [`user:${user}`, "kms:Decrypt", "<key>", { ...context, "kms:ViaService": "s3.<region>.amazonaws.com" }, "ExplicitDeny"],
    [`user:${user}`, "logs:GetLogEvents", "<log:api-read-logs>:log-stream:x", context, "Deny"],
    [`user:${user}`, "iam:DeactivateMFADevice", `<user:${user}>`, context, "Deny"],
    [`user:${user}`, "sts:AssumeRole", "<role:ci-deploy>", context, "Deny"],
];
/** Escalation: refused to every group, with MFA. */
const noEscalation = (user: string): Row[] => [
    [`user:${user}`, "iam:PassRole", "<role:mdetect-batch-role>", MFA, "Deny"],
    [`user:${user}`, "iam:PassRole", "<role:ci-deploy>", MFA, "Deny"],
    [`user:${user}`, "iam:PutUserPolicy", `<user:${user}>`, MFA, "Deny"],
    [`user:${user}`, "iam:AttachUserPolicy", `<user:${user}>`, MFA, "Deny"],
    [`user:${user}`, "iam:PutGroupPolicy", "<group:admins>", MFA, "Deny"],
    [`user:${user}`, "iam:AddUserToGroup", "<group:admins>", MFA, "Deny"],
    [`user:${user}`, "iam:CreatePolicyVersion", "<policy:require-mfa>", MFA, "Deny"],
    [`user:${user}`, "iam:DetachGroupPolicy", "<group:analysts>", MFA, "Deny"],
    [`user:${user}`, "iam:CreateAccessKey", `<user:${user}>`, MFA, "Deny"],
    [`user:${user}`, "iam:UpdateAssumeRolePolicy", "<role:ci-deploy>", MFA, "Deny"],
    [`user:${user}`, "lambda:UpdateFunctionCode", "<fn:registry-migrate-launcher>", MFA, "Deny"],
    [`user:${user}`, "lambda:UpdateFunctionConfiguration", "<fn:api-read>", MFA, "Deny"],
    [`user:${user}`, "sts:AssumeRole", "<role:ci-deploy>", MFA, "Deny"],
    [`user:${user}`, "sts:AssumeRole", "<role:mdetect-registry-migrate-launcher-role>", MFA, "Deny"],
    [`user:${user}`, "secretsmanager:GetSecretValue", "<secret:registry>", MFA, "Deny"],
    [`user:${user}`, "kms:CreateGrant", "<key>", MFA, "Deny"],
    [`user:${user}`, "kms:PutKeyPolicy", "<key>", MFA, "Deny"],
    [`user:${user}`, "cloudtrail:StopLogging", "<trail>", MFA, "Deny"],
    [`user:${user}`, "s3:DeleteObject", "<bucket:audit>/AWSLogs/<account>/x.json.gz", MFA, "Deny"],
    [`user:${user}`, "s3:PutBucketPolicy", LAKE, MFA, "Deny"],
];

const everyone = ["alice", "bob", "carol.oneil"];

iamTable("people without MFA: only self-service on their own user", GOVERNANCE, [
    ...everyone.flatMap((u) => [...selfService(u, NO_MFA), ...enrollment(u, NO_MFA, "Allow"), ...othersUser(u, u === "bob" ? "alice" : "bob", NO_MFA), ...pathless(u), ...jobWithoutMfa(u, NO_MFA)]),
]);

iamTable("people with a long-term access key (no MFA key): nothing, not even enrollment", GOVERNANCE, [
    ...everyone.flatMap((u) => [...enrollment(u, ACCESS_KEY, "ExplicitDeny"), ...jobWithoutMfa(u, ACCESS_KEY)]),
    ["user:alice", "iam:DeactivateMFADevice", "<user:alice>", ACCESS_KEY, "ExplicitDeny"],
    ["user:bob", "iam:ChangePassword", "<user:bob>", ACCESS_KEY, "Allow"],
]);

iamTable("people with MFA: their own device, never another's", GOVERNANCE, [
    ...everyone.flatMap((u) => [
        ...selfService(u, MFA), ...enrollment(u, MFA, "Allow"), ...othersUser(u, u === "bob" ? "carol.oneil" : "bob", MFA),
        [`user:${u}`, "iam:DeactivateMFADevice", `<user:${u}>`, MFA, "Allow"] as Row,
    ]),
    ["user:bob", "iam:DeactivateMFADevice", "<user:carol.oneil>", MFA, "Deny"],
    ["user:carol.oneil", "iam:CreateVirtualMFADevice", DEVICE, NO_MFA, "Allow"],
]);

iamTable("analysts with MFA: read curated/ and findings/, nothing else", GOVERNANCE, [
    ["user:carol.oneil", "s3:GetObject", `${LAKE}/curated/batch/site-1.csv`, MFA, "Allow"],
    ["user:carol.oneil", "s3:GetObject", `${LAKE}/findings/client-a/2026/finding.json`, MFA, "Allow"],
    ["user:carol.oneil", "s3:ListBucket", LAKE, { ...MFA, "s3:prefix": "findings/" }, "Allow"],
    ["user:carol.oneil", "s3:ListBucket", LAKE, { ...MFA, "s3:prefix": "curated/batch/" }, "Allow"],
    ["user:carol.oneil", "kms:Decrypt", "<key>", { ...MFA, "kms:ViaService": "s3.<region>.amazonaws.com" }, "Allow"],
    ["user:carol.oneil", "kms:Decrypt", "<key>", MFA, "Deny"],
    ["user:carol.oneil", "kms:Decrypt", "<key>", { ...MFA, "kms:ViaService": "sqs.<region>.amazonaws.com" }, "Deny"],
    ["user:carol.oneil", "s3:GetObject", `${LAKE}/raw/realtime/2026/part.json.gz`, MFA, "Deny"],
    ["user:carol.oneil", "s3:GetObject", `${LAKE}/incoming/site-1.json`, MFA, "Deny"],
    ["user:carol.oneil", "s3:GetObject", `${LAKE}/quarantine/batch/bad.json`, MFA, "Deny"],
    ["user:carol.oneil", "s3:ListBucket", LAKE, { ...MFA, "s3:prefix": "raw/" }, "Deny"],
    ["user:carol.oneil", "s3:PutObject", `${LAKE}/curated/batch/site-1.csv`, MFA, "Deny"],
    ["user:carol.oneil", "s3:DeleteObject", `${LAKE}/findings/client-a/f.json`, MFA, "Deny"],
    ["user:carol.oneil", "s3:GetObject", "<bucket:audit>/AWSLogs/<account>/x.json.gz", MFA, "Deny"],
    ["user:carol.oneil", "kinesis:GetRecords", "<stream>", MFA, "Deny"],
    ["user:carol.oneil", "logs:GetLogEvents", "<log:api-read-logs>:log-stream:x", MFA, "Deny"],
    ["user:carol.oneil", "iam:CreateLoginProfile", "<user:bob>", MFA, "Deny"],
    ["user:carol.oneil", "s3:GetObject", `${LAKE}/findings/x.json`, { ...MFA, "aws:SecureTransport": "false" }, "ExplicitDeny"],
]);

iamTable("data engineers with MFA: work the data lake, inspect streams, read logs", GOVERNANCE, [
    ["user:bob", "s3:GetObject", `${LAKE}/raw/realtime/2026/part.json.gz`, MFA, "Allow"],
    ["user:bob", "s3:PutObject", `${LAKE}/incoming/site-7.json`, MFA, "Allow"],
    ["user:bob", "s3:DeleteObject", `${LAKE}/quarantine/batch/bad.json`, MFA, "Allow"],
    ["user:bob", "s3:RestoreObject", `${LAKE}/raw/batch/2025/old.json`, MFA, "Allow"],
    ["user:bob", "s3:GetObjectVersion", `${LAKE}/curated/batch/site-1.csv`, MFA, "Allow"],
    ["user:bob", "s3:ListBucket", LAKE, { ...MFA, "s3:prefix": "quarantine/" }, "Allow"],
    ["user:bob", "kms:GenerateDataKey", "<key>", { ...MFA, "kms:ViaService": "s3.<region>.amazonaws.com" }, "Allow"],
    ["user:bob", "kms:Decrypt", "<key>", { ...MFA, "kms:ViaService": "s3.<region>.amazonaws.com" }, "Allow"],
    ["user:bob", "kinesis:DescribeStreamSummary", "<stream>", MFA, "Allow"],
    ["user:bob", "kinesis:ListShards", "<stream>", MFA, "Allow"],
    ["user:bob", "firehose:DescribeDeliveryStream", "<firehose>", MFA, "Allow"],
    ["user:bob", "logs:FilterLogEvents", "<log:batch-logs>", MFA, "Allow"],
    ["user:bob", "logs:GetLogEvents", "<log:api-read-logs>:log-stream:2026/x", MFA, "Allow"],
    ["user:bob", "logs:StartQuery", "<log:registry-access-logs>", MFA, "Allow"],
    ["user:bob", "logs:DescribeLogGroups", "*", MFA, "Allow"],
    ["user:bob", "s3:PutObject", "<bucket:audit>/AWSLogs/<account>/forged.json.gz", MFA, "Deny"],
    ["user:bob", "s3:PutBucketPolicy", LAKE, MFA, "Deny"],
    ["user:bob", "s3:PutLifecycleConfiguration", LAKE, MFA, "Deny"],
    ["user:bob", "kms:Decrypt", "<key>", MFA, "Deny"],
    ["user:bob", "kinesis:PutRecord", "<stream>", MFA, "Deny"],
    ["user:bob", "kinesis:DeleteStream", "<stream>", MFA, "Deny"],
    ["user:bob", "lambda:InvokeFunction", "<fn:registry-access>", MFA, "Deny"],
    ["user:bob", "sns:Publish", "<topic:findings>", MFA, "Deny"],
    ["user:bob", "cloudwatch:SetAlarmState", "arn:aws:cloudwatch:<region>:<account>:alarm:x", MFA, "Deny"],
    ["user:bob", "iam:UpdateLoginProfile", "<user:carol.oneil>", MFA, "Deny"],
]);

iamTable("admins with MFA: read configuration, silence alarms, look after people", GOVERNANCE, [
    ["user:alice", "lambda:GetFunctionConfiguration", "<fn:api-read>", MFA, "Allow"],
    ["user:alice", "rds:DescribeDBInstances", "arn:aws:rds:<region>:<account>:db:mdetect-registry-a1b2c3d", MFA, "Allow"],
    ["user:alice", "iam:GetRole", "<role:ci-deploy>", MFA, "Allow"],
    ["user:alice", "iam:GetRolePolicy", "<role:mdetect-batch-role>", MFA, "Allow"],
    ["user:alice", "kms:GetKeyPolicy", "<key>", MFA, "Allow"],
    ["user:alice", "s3:GetBucketPolicy", LAKE, MFA, "Allow"],
    ["user:alice", "s3:GetLifecycleConfiguration", "<bucket:audit>", MFA, "Allow"],
    ["user:alice", "sns:GetTopicAttributes", "<topic:ops>", MFA, "Allow"],
    ["user:alice", "sqs:GetQueueAttributes", "<queue:batch-dlq>", MFA, "Allow"],
    ["user:alice", "cloudtrail:GetTrailStatus", "<trail>", MFA, "Allow"],
    ["user:alice", "cloudwatch:DescribeAlarms", "*", MFA, "Allow"],
    ["user:alice", "cloudwatch:SetAlarmState", "arn:aws:cloudwatch:<region>:<account>:alarm:mdetect-batch-errors", MFA, "Allow"],
    ["user:alice", "cloudwatch:DisableAlarmActions", "arn:aws:cloudwatch:<region>:<account>:alarm:mdetect-batch-errors", MFA, "Allow"],
    ["user:alice", "logs:FilterLogEvents", "<log:api-admin-logs>", MFA, "Allow"],
    ["user:alice", "iam:CreateLoginProfile", "<user:bob>", MFA, "Allow"],
    ["user:alice", "iam:UpdateLoginProfile", "<user:carol.oneil>", MFA, "Allow"],
    ["user:alice", "iam:DeactivateMFADevice", "<user:bob>", MFA, "Allow"],
    ["user:alice", "iam:ListUsers", "*", MFA, "Allow"],
    // As an analyst too (the union of her groups).
    ["user:alice", "s3:GetObject", `${LAKE}/findings/client-a/f.json`, MFA, "Allow"],
    // Configuration, never data, whatever the pattern.
    ["user:alice", "s3:GetObject", `${LAKE}/raw/realtime/part.json.gz`, MFA, "Deny"],
    ["user:alice", "kinesis:GetRecords", "<stream>", MFA, "Deny"],
    ["user:alice", "kinesis:GetShardIterator", "<stream>", MFA, "Deny"],
    ["user:alice", "ec2:GetPasswordData", "arn:aws:ec2:<region>:<account>:instance/i-0123456789abcdef0", MFA, "Deny"],
    ["user:alice", "cognito-idp:ListUsers", "arn:aws:cognito-idp:<region>:<account>:userpool/ap-southeast-2_AbCdEf", MFA, "Deny"],
    ["user:alice", "cognito-idp:AdminGetUser", "arn:aws:cognito-idp:<region>:<account>:userpool/ap-southeast-2_AbCdEf", MFA, "Deny"],
    ["user:alice", "sns:ListSubscriptionsByTopic", "<topic:findings>", MFA, "Deny"],
    ["user:alice", "sqs:ReceiveMessage", "<queue:batch-dlq>", MFA, "Deny"],
    ["user:alice", "iam:CreateLoginProfile", "arn:aws:iam::<account>:user/root-like", MFA, "Deny"],
    ["user:alice", "iam:CreateUser", "arn:aws:iam::<account>:user/mdetect/mallory", MFA, "Deny"],
    ["user:alice", "iam:DeleteUser", "<user:bob>", MFA, "Deny"],
    ["user:alice", "iam:CreateRole", "arn:aws:iam::<account>:role/backdoor", MFA, "Deny"],
    ["user:alice", "kms:ScheduleKeyDeletion", "<key>", MFA, "Deny"],
    ["user:alice", "rds:DeleteDBInstance", "arn:aws:rds:<region>:<account>:db:mdetect-registry-a1b2c3d", MFA, "Deny"],
]);

iamTable("no group escalates, even with MFA", GOVERNANCE, everyone.flatMap(noEscalation));
