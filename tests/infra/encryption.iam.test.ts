/**
 * The data key's policy, proven by evaluation against each service that uses the key as itself
 * (CloudTrail, CloudWatch alarms and budgets publishing to encrypted SNS) and each role that
 * uses it through a service (kms:ViaService, encryption context).
 */
import { NONE, iamTable } from "../helpers/iam";
import { GOVERNANCE } from "./governance/config";

const TRAIL = "arn:aws:cloudtrail:<region>:<account>:trail/mdetect-dev-audit";
const trailContext = { "aws:SourceArn": TRAIL, "aws:SourceAccount": "<account>", "kms:EncryptionContext:aws:cloudtrail:arn": TRAIL };
const CT = "service:cloudtrail.amazonaws.com";
const CW = "service:cloudwatch.amazonaws.com";
const ALARM = "arn:aws:cloudwatch:<region>:<account>:alarm:mdetect-batch-errors";
const SQS_VIA = "sqs.<region>.amazonaws.com";

iamTable("data key: CloudTrail encrypts and describes, for this trail only", GOVERNANCE, [
    [CT, "kms:GenerateDataKey", "<key>", trailContext, "Allow"],
    [CT, "kms:DescribeKey", "<key>", { "aws:SourceArn": TRAIL, "aws:SourceAccount": "<account>" }, "Allow"],
    [CT, "kms:DescribeKey", "<key>", { "aws:SourceArn": "arn:aws:cloudtrail:<region>:999999999999:trail/theirs", "aws:SourceAccount": "999999999999" }, "Deny"],
    [CT, "kms:GenerateDataKey", "<key>", { ...trailContext, "aws:SourceArn": "arn:aws:cloudtrail:<region>:999999999999:trail/theirs" }, "Deny"],
    [CT, "kms:GenerateDataKey", "<key>", { "aws:SourceArn": TRAIL, "aws:SourceAccount": "<account>" }, "Deny"],
    [CT, "kms:Decrypt", "<key>", trailContext, "Deny"],
    [CT, "kms:PutKeyPolicy", "<key>", trailContext, "Deny"],
]);

iamTable("data key: alarms and budgets publish to encrypted topics of this account", GOVERNANCE, [
    [CW, "kms:GenerateDataKey", "<key>", { "aws:SourceAccount": "<account>", "aws:SourceArn": ALARM }, "Allow"],
    [CW, "kms:Decrypt", "<key>", { "aws:SourceAccount": "<account>", "aws:SourceArn": ALARM }, "Allow"],
    ["service:budgets.amazonaws.com", "kms:GenerateDataKey", "<key>", { "aws:SourceAccount": "<account>", "aws:SourceArn": "arn:aws:budgets::<account>:budget/mdetect-monthly" }, "Allow"],
    [CW, "kms:GenerateDataKey", "<key>", { "aws:SourceAccount": "999999999999", "aws:SourceArn": "arn:aws:cloudwatch:<region>:999999999999:alarm:x" }, "Deny"],
    [CW, "kms:GenerateDataKey", "<key>", { "aws:SourceAccount": "<account>", "aws:SourceArn": "arn:aws:cloudwatch:<region>:<account>:dashboard/x" }, "Deny"],
    [CW, "kms:Encrypt", "<key>", { "aws:SourceAccount": "<account>", "aws:SourceArn": ALARM }, "Deny"],
    ["service:sns.amazonaws.com", "kms:Decrypt", "<key>", { "aws:SourceAccount": "<account>" }, "Deny"],
    ["arn:aws:iam::999999999999:root", "kms:Decrypt", "<key>", NONE, "Deny"],
]);

iamTable("data key: dead-letter queues only through SQS, for their own queue", GOVERNANCE, [
    ["role:mdetect-batch-role", "kms:GenerateDataKey", "<key>", { "kms:ViaService": SQS_VIA, "kms:EncryptionContext:aws:sqs:arn": "<queue:mdetect-batch-dlq>" }, "Allow"],
    ["role:mdetect-silence-role", "kms:Decrypt", "<key>", { "kms:ViaService": SQS_VIA, "kms:EncryptionContext:aws:sqs:arn": "<queue:silence-dlq>" }, "Allow"],
    ["role:mdetect-silence-role", "kms:Decrypt", "<key>", NONE, "Deny"],
    ["role:mdetect-silence-role", "kms:Decrypt", "<key>", { "kms:ViaService": SQS_VIA, "kms:EncryptionContext:aws:sqs:arn": "<queue:mdetect-batch-dlq>" }, "Deny"],
    ["role:mdetect-silence-role", "kms:Decrypt", "<key>", { "kms:ViaService": "s3.<region>.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": "<bucket:data-lake>/findings/x.json" }, "Deny"],
    ["role:mdetect-registry-migrate-launcher-role", "kms:GenerateDataKey", "<key>", { "kms:ViaService": SQS_VIA, "kms:EncryptionContext:aws:sqs:arn": "<queue:launcher-dlq>" }, "Allow"],
    ["role:mdetect-registry-migrate-launcher-role", "kms:Decrypt", "<key>", { "kms:ViaService": "secretsmanager.<region>.amazonaws.com", "kms:EncryptionContext:SecretARN": "<secret:registry>" }, "Allow"],
    ["role:mdetect-registry-migrate-launcher-role", "kms:Decrypt", "<key>", NONE, "Deny"],
    ["role:mdetect-realtime-transform-role", "kms:GenerateDataKey", "<key>", { "kms:ViaService": "s3.<region>.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": "<bucket:data-lake>/quarantine/realtime/x" }, "Allow"],
    ["role:mdetect-realtime-transform-role", "kms:GenerateDataKey", "<key>", NONE, "Deny"],
]);
