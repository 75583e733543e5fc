/**
 * Registry roles, proven by evaluation: the migration launcher allows exactly the calls its
 * handler makes, as recorded in tests/functions/registry/deploy-migration.test.ts. The migrator
 * and the access function send no AWS API command (they talk SQL; the access function signs its
 * IAM token locally), so their roles hold only logs, the VPC attachment and, for the access
 * function, the registry connection. Every function that connects to the database may connect
 * only as its own database user (the read functions as the read-only one, never as the writer),
 * on this instance only.
 */
import { LOG_EXTRAS, REGISTRY_EXTRAS, VPC_EXTRAS, lambdaRoleTable } from "../helpers/iam-sdk";
import { NONE, Row, iamTable } from "../helpers/iam";
import { GOVERNANCE } from "./governance/config";
import { APP_USER, READ_USER } from "../../infra/registry";

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

const READER = `<dbuser:${READ_USER}>`;
const WRITER = `<dbuser:${APP_USER}>`;
/** Roles whose functions only read the registry, and those that write to it. */
const READ_ROLES = ["mdetect-api-read-role", "mdetect-api-download-role", "mdetect-silence-role"];
const WRITE_ROLES = ["mdetect-api-admin-role", "mdetect-registry-access-role"];
/** Roles that never sign an IAM database token (the migrator signs in as master with the launcher's secret). */
const NO_DB_ROLES = ["mdetect-api-upload-role", "mdetect-api-contract-role", "mdetect-registry-migrator-role", "mdetect-registry-migrate-launcher-role"];

iamTable("registry database users: readers connect read-only, only writers as the application user", GOVERNANCE, [
    ...READ_ROLES.flatMap((role): Row[] => [
        [`role:${role}`, "rds-db:connect", READER, NONE, "Allow"],
        [`role:${role}`, "rds-db:connect", WRITER, NONE, "Deny"],
        [`role:${role}`, "rds-db:connect", "arn:aws:rds-db:<region>:<account>:dbuser:db-another-instance/mdetect_reader", NONE, "Deny"],
        [`role:${role}`, "rds-db:connect", "<dbuser:mdetect_admin>", NONE, "Deny"],
    ]),
    ...WRITE_ROLES.flatMap((role): Row[] => [
        [`role:${role}`, "rds-db:connect", WRITER, NONE, "Allow"],
        [`role:${role}`, "rds-db:connect", READER, NONE, "Deny"],
        [`role:${role}`, "rds-db:connect", "<dbuser:mdetect_admin>", NONE, "Deny"],
    ]),
    ...NO_DB_ROLES.flatMap((role): Row[] => [
        [`role:${role}`, "rds-db:connect", READER, NONE, "Deny"],
        [`role:${role}`, "rds-db:connect", WRITER, NONE, "Deny"],
    ]),
]);
