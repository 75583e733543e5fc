/**
 * Registry roles, proven by evaluation: the migration launcher allows exactly the calls its
 * handler makes, as recorded in tests/functions/registry/deploy-migration.test.ts.
 */
import { lambdaRoleTable } from "../helpers/iam-sdk";
import { NONE, iamTable } from "../helpers/iam";
import { GOVERNANCE } from "./governance/config";

/** What every PipelineFunction role holds besides its handler's calls (infra/lambda.ts). */
const FUNCTION_EXTRAS = {
    "logs:CreateLogStream": "writes its own log group",
    "logs:PutLogEvents": "writes its own log group",
};
const DEAD_LETTER_EXTRAS = {
    "sqs:SendMessage": "failed asynchronous events go to its dead-letter queue",
    "kms:GenerateDataKey": "the dead-letter queue is encrypted with the data key (via SQS only)",
    "kms:Decrypt": "the dead-letter queue is encrypted with the data key (via SQS only); the master secret is too (via Secrets Manager only)",
};

lambdaRoleTable({
    recording: "registry-migrate-launcher",
    role: "mdetect-registry-migrate-launcher-role",
    resources: { "arn:secret": "<secret:registry>", migrator: "<fn:registry-migrator>" },
    extras: { ...FUNCTION_EXTRAS, ...DEAD_LETTER_EXTRAS },
}, GOVERNANCE);

iamTable("registry roles: each assumable only by Lambda in this account, each call only on its own resource", GOVERNANCE, [
    ["service:lambda.amazonaws.com", "sts:AssumeRole", "<role:mdetect-registry-migrate-launcher-role>", { "aws:SourceAccount": "<account>" }, "Allow"],
    ["service:lambda.amazonaws.com", "sts:AssumeRole", "<role:mdetect-registry-migrate-launcher-role>", { "aws:SourceAccount": "999999999999" }, "Deny"],
    ["service:ec2.amazonaws.com", "sts:AssumeRole", "<role:mdetect-registry-migrate-launcher-role>", { "aws:SourceAccount": "<account>" }, "Deny"],
    ["role:mdetect-registry-migrate-launcher-role", "lambda:InvokeFunction", "<fn:registry-access>", NONE, "Deny"],
    ["role:mdetect-registry-migrate-launcher-role", "secretsmanager:PutSecretValue", "<secret:registry>", NONE, "Deny"],
    ["role:mdetect-registry-access-role", "secretsmanager:GetSecretValue", "<secret:registry>", NONE, "Deny"],
    ["role:mdetect-api-read-role", "secretsmanager:GetSecretValue", "<secret:registry>", NONE, "Deny"],
    ["role:mdetect-registry-migrator-role", "secretsmanager:GetSecretValue", "<secret:registry>", NONE, "Deny"],
]);
