/**
 * The inference role, proven by evaluation: it allows exactly the calls its handler makes, as
 * recorded in tests/functions/inference/handler.test.ts (curated objects, findings, the endpoint,
 * alerts) and tests/functions/inference/registry-lambda.test.ts (the registry access Lambda); the
 * DataKey only through S3 for the data lake, through SNS for the findings topic, or through SQS
 * for its own dead-letter queue.
 */
import { LOG_EXTRAS, lambdaRoleTable } from "../helpers/iam-sdk";
import { NONE, iamTable } from "../helpers/iam";
import { GOVERNANCE } from "./governance/config";

/** Inference exists only with a model artifact. */
const WITH_MODEL = { ...GOVERNANCE, "mdetect:modelArtifact": "s3://mdetect-models-bucket/models/v3/model.tar.gz" };

lambdaRoleTable({
    recordings: ["inference", "inference-registry"],
    role: "mdetect-inference-role",
    // The tests' bucket, topic, endpoint and registry function names.
    resources: {
        lake: "<bucket:data-lake>",
        "arn:aws:sns:ap-southeast-2:123456789012:mdetect-findings": "<topic:findings>",
        "mdetect-test-endpoint": "<endpoint>",
        "registry-access": "<fn:registry-access>",
    },
    extras: {
        ...LOG_EXTRAS,
        // Reads the object version the event names; the handler tests' bucket is unversioned.
        "s3:GetObjectVersion": "reads the exact version an event names in the versioned data lake",
    },
    deadLetterQueue: "mdetect-inference-dlq",
}, WITH_MODEL);

iamTable("inference: the model's role reads its artifact only, the function never the model's", WITH_MODEL, [
    ["role:mdetect-inference-model-role", "s3:GetObject", "arn:aws:s3:::mdetect-models-bucket/models/v3/model.tar.gz", NONE, "Allow"],
    ["role:mdetect-inference-model-role", "s3:GetObject", "<bucket:data-lake>/curated/batch/x.csv.gz", NONE, "Deny"],
    ["role:mdetect-inference-role", "s3:GetObject", "arn:aws:s3:::mdetect-models-bucket/models/v3/model.tar.gz", NONE, "Deny"],
    ["role:mdetect-inference-role", "sns:Publish", "<topic:ops>", NONE, "Deny"],
    ["role:mdetect-inference-role", "kms:GenerateDataKey", "<key>", { "kms:ViaService": "sns.<region>.amazonaws.com", "kms:EncryptionContext:aws:sns:topicArn": "<topic:ops>" }, "Deny"],
]);
