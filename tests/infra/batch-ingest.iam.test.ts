/**
 * The batch-ingest role, proven by evaluation: it allows exactly the calls its handler makes, as
 * recorded in tests/infra/batch-ingest.test.ts (the serialized handler, registry included) and
 * tests/functions/batch/ingest.test.ts (multipart, unversioned and failure paths); the DataKey
 * only through S3 for the data lake, or through SQS for its own dead-letter queue.
 */
import { LOG_EXTRAS, lambdaRoleTable } from "../helpers/iam-sdk";
import { GOVERNANCE } from "./governance/config";

lambdaRoleTable({
    recordings: ["batch-ingest", "batch-ingest-paths"],
    role: "mdetect-batch-role",
    // The tests' bucket names and the registry function name the serialized test configures.
    resources: { lake: "<bucket:data-lake>", "mdetect-data-lake-a1b2c3d": "<bucket:data-lake>", "mdetect-registry-access": "<fn:registry-access>" },
    extras: {
        ...LOG_EXTRAS,
        // Events from an unversioned bucket (the local cloud's s3rver) carry no version id; every test event here does.
        "s3:GetObject": "reads the current object when an event names no version",
        // lib-storage's Upload.abort() after a failure mid-file; no test fails a part upload.
        "s3:AbortMultipartUpload": "a failed conversion aborts its multipart uploads, so no parts linger",
    },
    deadLetterQueue: "mdetect-batch-dlq",
}, GOVERNANCE);
