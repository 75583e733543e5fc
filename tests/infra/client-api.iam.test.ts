/**
 * The download role, proven by evaluation: it reads any findings object, writes only JSON
 * conversions next to them (never the CSV inference writes, nothing outside findings/), and gets a
 * data key only through S3 for this bucket.
 */
import { NONE, iamTable } from "../helpers/iam";
import { GOVERNANCE } from "./governance/config";

const ROLE = "role:mdetect-api-download-role";
const FINDINGS = "<bucket:data-lake>/findings/c1/p1/2026-01-02/00";
const VIA_S3 = { "kms:ViaService": "s3.<region>.amazonaws.com" };

iamTable("api download role: reads findings, writes only their JSON conversions", GOVERNANCE, [
    [ROLE, "s3:GetObject", `${FINDINGS}/src-0123456789ab.csv.gz`, NONE, "Allow"],
    [ROLE, "s3:PutObject", `${FINDINGS}/src-0123456789ab.json.gz`, NONE, "Allow"],
    [ROLE, "s3:PutObject", `${FINDINGS}/src-0123456789ab.csv.gz`, NONE, "Deny"],
    [ROLE, "s3:PutObject", `${FINDINGS}/src-0123456789ab.json`, NONE, "Deny"],
    [ROLE, "s3:PutObject", "<bucket:data-lake>/curated/batch/s/x.json.gz", NONE, "Deny"],
    [ROLE, "s3:PutObject", "<bucket:data-lake>/incoming/s/x.json.gz", NONE, "Deny"],
    [ROLE, "s3:DeleteObject", `${FINDINGS}/src-0123456789ab.json.gz`, NONE, "Deny"],
    [ROLE, "kms:GenerateDataKey", "<key>", { ...VIA_S3, "kms:EncryptionContext:aws:s3:arn": "<bucket:data-lake>" }, "Allow"],
    [ROLE, "kms:GenerateDataKey", "<key>", { ...VIA_S3, "kms:EncryptionContext:aws:s3:arn": `${FINDINGS}/src-0123456789ab.json.gz` }, "Allow"],
    [ROLE, "kms:GenerateDataKey", "<key>", { ...VIA_S3, "kms:EncryptionContext:aws:s3:arn": `${FINDINGS}/src-0123456789ab.csv.gz` }, "Deny"],
    [ROLE, "kms:GenerateDataKey", "<key>", NONE, "Deny"],
    [ROLE, "kms:GenerateDataKey", "<key>", { "kms:ViaService": "sqs.<region>.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": "<bucket:data-lake>" }, "Deny"],
]);
