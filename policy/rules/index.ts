/**
 * Every rule of the pack, in report order (by theme). One rule per file; a test fails when a file
 * in this folder is missing here or has no compliant and non-compliant fixtures.
 */
import type { Rule } from "../lib/types";
import { rule as iamGroupRequiresMfa } from "./iam-group-requires-mfa";
import { rule as iamUserInGroup } from "./iam-user-in-group";
import { rule as iamNoAccessKeys } from "./iam-no-access-keys";
import { rule as cognitoMfaRequired } from "./cognito-mfa-required";
import { rule as s3SseKms } from "./s3-sse-kms";
import { rule as kinesisStreamEncrypted } from "./kinesis-stream-encrypted";
import { rule as firehoseEncrypted } from "./firehose-encrypted";
import { rule as snsTopicEncrypted } from "./sns-topic-encrypted";
import { rule as sqsQueueEncrypted } from "./sqs-queue-encrypted";
import { rule as rdsStorageEncrypted } from "./rds-storage-encrypted";
import { rule as sagemakerEndpointKms } from "./sagemaker-endpoint-kms";
import { rule as cloudtrailEncrypted } from "./cloudtrail-encrypted";
import { rule as kmsKeyRotation } from "./kms-key-rotation";
import { rule as s3TlsOnly } from "./s3-tls-only";
import { rule as snsTopicTlsOnly } from "./sns-topic-tls-only";
import { rule as rdsRequiresTls } from "./rds-requires-tls";
import { rule as s3LifecycleGlacier } from "./s3-lifecycle-glacier";
import { rule as costTags } from "./cost-tags";
import { rule as budgetDeclared } from "./budget-declared";
import { rule as costWithinBudget } from "./cost-within-budget";
import { rule as iamNoWildcardAdmin } from "./iam-no-wildcard-admin";
import { rule as iamNoManagedFullAccess } from "./iam-no-managed-full-access";
import { rule as lambdaPermissionSourceArn } from "./lambda-permission-source-arn";
import { rule as s3PublicAccessBlock } from "./s3-public-access-block";
import { rule as rdsNotPublic } from "./rds-not-public";
import { rule as rdsBackupRetention } from "./rds-backup-retention";
import { rule as rdsDeletionProtection } from "./rds-deletion-protection";
import { rule as sgNoPublicDbPorts } from "./sg-no-public-db-ports";
import { rule as apiRouteAuthorized } from "./api-route-authorized";
import { rule as apiStageAccessLogs } from "./api-stage-access-logs";
import { rule as apiStageThrottling } from "./api-stage-throttling";
import { rule as lambdaAsyncDlq } from "./lambda-async-dlq";
import { rule as logGroupRetention } from "./log-group-retention";
import { rule as alarmHasActions } from "./alarm-has-actions";
import { rule as cloudtrailMultiRegionValidation } from "./cloudtrail-multi-region-validation";
import { rule as firehoseErrorPrefix } from "./firehose-error-prefix";
import { rule as suppressionReasons } from "./suppression-reasons";

export const RULES: readonly Rule[] = [
    iamGroupRequiresMfa,
    iamUserInGroup,
    iamNoAccessKeys,
    cognitoMfaRequired,
    s3SseKms,
    kinesisStreamEncrypted,
    firehoseEncrypted,
    snsTopicEncrypted,
    sqsQueueEncrypted,
    rdsStorageEncrypted,
    sagemakerEndpointKms,
    cloudtrailEncrypted,
    kmsKeyRotation,
    s3TlsOnly,
    snsTopicTlsOnly,
    rdsRequiresTls,
    s3LifecycleGlacier,
    costTags,
    budgetDeclared,
    costWithinBudget,
    iamNoWildcardAdmin,
    iamNoManagedFullAccess,
    lambdaPermissionSourceArn,
    s3PublicAccessBlock,
    rdsNotPublic,
    rdsBackupRetention,
    rdsDeletionProtection,
    sgNoPublicDbPorts,
    apiRouteAuthorized,
    apiStageAccessLogs,
    apiStageThrottling,
    lambdaAsyncDlq,
    logGroupRetention,
    alarmHasActions,
    cloudtrailMultiRegionValidation,
    firehoseErrorPrefix,
    suppressionReasons,
];
