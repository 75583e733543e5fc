/**
 * The silence check's role, proven by evaluation. Its handler sends no AWS API command: it reads
 * the registry (an IAM token signed locally) and prints one EMF line that Lambda's log delivery
 * turns into the metric (functions/governance/silence.ts). So the role holds nothing beyond
 * logs, the VPC attachment, the registry connection and its dead-letter queue.
 */
import { LOG_EXTRAS, REGISTRY_EXTRAS, VPC_EXTRAS, lambdaRoleTable } from "../../helpers/iam-sdk";
import { NONE, iamTable } from "../../helpers/iam";
import { GOVERNANCE } from "./config";

lambdaRoleTable({
    recordings: [],
    role: "mdetect-silence-role",
    resources: {},
    extras: { ...LOG_EXTRAS, ...VPC_EXTRAS, ...REGISTRY_EXTRAS },
    deadLetterQueue: "silence-dlq",
}, GOVERNANCE);

iamTable("silence check: the metric needs no API call", GOVERNANCE, [
    ["role:mdetect-silence-role", "cloudwatch:PutMetricData", "*", NONE, "Deny"],
    ["role:mdetect-silence-role", "sns:Publish", "<topic:ops>", NONE, "Deny"],
]);
