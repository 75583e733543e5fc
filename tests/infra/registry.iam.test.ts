/**
 * Registry roles, proven by evaluation: the migration launcher allows exactly the calls its
 * handler makes, as recorded in tests/functions/registry/deploy-migration.test.ts. The migrator
 * and the access function send no AWS API command (they talk SQL; the access function signs its
 * IAM token locally), so their roles hold only logs, the VPC attachment and, for the access
 * function, the registry connection (which database user, is proven with the registry's users).
 */
import { LOG_EXTRAS, REGISTRY_EXTRAS, VPC_EXTRAS, lambdaRoleTable } from "../helpers/iam-sdk";
import { NONE, iamTable } from "../helpers/iam";
import { GOVERNANCE } from "./governance/config";

lambdaRoleTable({
    recordings: ["registry-migrate-launcher"],
    role: "mdetect-registry-migrate-launcher-role",
    resources: { "arn:secret": "<secret:registry>", migrator: "<fn:registry-migrator>" },
    extras: LOG_EXTRAS,
    deadLetterQueue: "launcher-dlq",
}, GOVERNANCE);

lambdaRoleTable({ recordings: [], role: "mdetect-registry-access-role", resources: {}, extras: { ...LOG_EXTRAS, ...VPC_EXTRAS, ...REGISTRY_EXTRAS } }, GOVERNANCE);
// The master credentials arrive in the launcher's event: the migrator needs no AWS permission at all.
lambdaRoleTable({ recordings: [], role: "mdetect-registry-migrator-role", resources: {}, extras: { ...LOG_EXTRAS, ...VPC_EXTRAS } }, GOVERNANCE);

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
