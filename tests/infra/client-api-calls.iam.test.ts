/**
 * The client API's roles, proven by evaluation: each allows exactly what its deployed handler
 * calls or signs (recorded through the serialized packages in tests/functions/api/serialized-errors.test.ts
 * and tests/infra/client-api.test.ts). A presigned URL is used with the signer's rights, so the
 * signed command is the role's request, KMS included.
 */
import { LOG_EXTRAS, REGISTRY_EXTRAS, VPC_EXTRAS, lambdaRoleTable } from "../helpers/iam-sdk";
import { NONE, iamTable } from "../helpers/iam";
import { GOVERNANCE } from "./governance/config";

const BUCKET = { "lake-bucket": "<bucket:data-lake>" };
const IN_VPC = { ...LOG_EXTRAS, ...VPC_EXTRAS, ...REGISTRY_EXTRAS };
/**
 * format=json writes the conversion next to the CSV. That path runs against s3rver in
 * tests/functions/api/download.test.ts, not through the serialized package, so it is not in the
 * recording; its allow and deny rows are in client-api.iam.test.ts.
 */
const JSON_EXPORT_EXTRAS = {
    "s3:PutObject": "format=json writes findings/*.json.gz next to the CSV (rows: client-api.iam.test.ts)",
    "kms:GenerateDataKey": "encrypting that conversion, through S3 for this bucket only (rows: client-api.iam.test.ts)",
};

lambdaRoleTable({ recordings: ["api-read"], role: "mdetect-api-read-role", resources: {}, extras: IN_VPC }, GOVERNANCE);
lambdaRoleTable({ recordings: ["api-admin"], role: "mdetect-api-admin-role", resources: {}, extras: IN_VPC }, GOVERNANCE);
lambdaRoleTable({ recordings: ["api-download"], role: "mdetect-api-download-role", resources: BUCKET, extras: { ...IN_VPC, ...JSON_EXPORT_EXTRAS } }, GOVERNANCE);
lambdaRoleTable({ recordings: ["api-upload"], role: "mdetect-api-upload-role", resources: BUCKET, extras: LOG_EXTRAS }, GOVERNANCE);
// The OpenAPI document is in its package: the role may only log.
lambdaRoleTable({ recordings: [], role: "mdetect-api-contract-role", resources: {}, extras: LOG_EXTRAS }, GOVERNANCE);

iamTable("client API roles: no role signs for another's prefix", GOVERNANCE, [
    ["role:mdetect-api-download-role", "s3:PutObject", "<bucket:data-lake>/findings/c/p/x.csv", NONE, "Deny"],
    ["role:mdetect-api-upload-role", "s3:GetObject", "<bucket:data-lake>/incoming/s/x.json", NONE, "Deny"],
    ["role:mdetect-api-upload-role", "kms:Decrypt", "<key>", { "kms:ViaService": "s3.<region>.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": "<bucket:data-lake>" }, "Deny"],
    ["role:mdetect-api-read-role", "s3:GetObject", "<bucket:data-lake>/findings/c/p/x.csv", NONE, "Deny"],
    ["role:mdetect-api-admin-role", "s3:PutObject", "<bucket:data-lake>/incoming/s/x.json", NONE, "Deny"],
]);
