/**
 * The Firehose transform's role, proven by evaluation: it allows exactly the calls the serialized
 * handler makes in tests/infra/realtime-ingest.test.ts (quarantine objects, device keys from the
 * registry), with the DataKey only through S3 for the data lake.
 */
import { LOG_EXTRAS, lambdaRoleTable } from "../helpers/iam-sdk";
import { GOVERNANCE } from "./governance/config";

lambdaRoleTable({
    recordings: ["realtime-transform"],
    role: "mdetect-realtime-transform-role",
    resources: { lake: "<bucket:data-lake>", "mdetect-registry-access": "<fn:registry-access>" },
    extras: LOG_EXTRAS,
}, GOVERNANCE);
