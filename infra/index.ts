/**
 * mDetect pipeline: the composition root. Reads like the architecture diagram, top to bottom.
 */
import * as aws from "@pulumi/aws";
import { loadConfig } from "./config";
import { applyCostTags } from "./tagging";
import { DataKey } from "./encryption";
import { AuditStore, DataLake } from "./storage";
import { Notifications } from "./notifications";
import { PrivateNetwork } from "./network";
import { Registry } from "./registry";
import { BatchIngest } from "./batch-ingest";
import { RealtimeIngest } from "./realtime-ingest";
import { Inference } from "./inference";
import { ClientIdentity } from "./identity";
import { ClientApi } from "./client-api";
import { trackInventory } from "./governance/inventory";
import { PeopleAccess } from "./governance/access";
import { CiDeploy, DeployBoundary } from "./governance/ci-deploy";
import { requirePermissionsBoundary } from "./governance/iam";
import { AuditTrail, auditTrailName, cloudTrailBucketStatements } from "./governance/audit-trail";
import { SilenceCheck } from "./governance/silence";
import { Monitoring } from "./governance/monitoring";
import { CostBudget } from "./governance/budget";

const config = loadConfig();
applyCostTags(config.tags);
// Before any component that builds a Lambda or log group: governance covers each of them.
const inventory = trackInventory();
const account = aws.getCallerIdentityOutput().accountId;
const trailName = auditTrailName(config.stack);

// --- Storage: one key, the data lake (incoming/ raw/ curated/ quarantine/ findings/), the audit store
const dataKey = new DataKey("mdetect", { description: `mDetect ${config.stack}: data lake, stream, topics, registry, audit`, trailName });

const dataLake = new DataLake("mdetect-data-lake", { keyArn: dataKey.arn, storage: config.storage, forceDestroy: config.isDev });
const auditStore = new AuditStore("mdetect-audit", {
    keyArn: dataKey.arn, storage: config.storage, forceDestroy: config.isDev,
    extraStatements: (bucketArn) => cloudTrailBucketStatements(bucketArn, account, config.region, trailName),
});
// --- Guardrails: every role from here on carries the boundary the deploy role must keep
const roleBoundary = new DeployBoundary("mdetect-role-boundary", { trailName, auditBucketArn: auditStore.arn });
requirePermissionsBoundary(roleBoundary.arn);
// --- Alerts: findings to clients (filtered per client), operations to ops
const notifications = new Notifications("mdetect", {
    keyArn: dataKey.arn, alertSubscriptions: config.inference.alertSubscriptions, opsEmails: config.governance.opsEmails,
});
// --- Registry: MariaDB in a private network without NAT, migrated at every deploy
const network = new PrivateNetwork("mdetect", { region: config.region });
const registry = new Registry("mdetect-registry", {
    network, config: config.registry, isDev: config.isDev, region: config.region, dataKeyArn: dataKey.arn, logRetentionDays: config.storage.logRetentionDays,
    reserveConcurrency: config.reservedConcurrency,
});
// --- Ingest: files from site (incoming/) and the live stream, both to curated/ CSV
new BatchIngest("mdetect-batch", {
    bucketName: dataLake.name, bucketArn: dataLake.arn, keyArn: dataKey.arn, logRetentionDays: config.storage.logRetentionDays,
    registryFunctionName: registry.accessFunction.name, registryInvokeStatements: registry.invokeStatements,
});
const realtime = new RealtimeIngest("mdetect-realtime", {
    fleet: config.fleet, realtime: config.realtime, logRetentionDays: config.storage.logRetentionDays, dataKeyArn: dataKey.arn, dataLake,
    registryFunctionName: registry.accessFunction.name, registryInvokeStatements: registry.invokeStatements,
});
// --- Inference: curated/ CSV scored by the model, findings per client, alerts
const inference = new Inference("mdetect-inference", {
    config: config.inference, region: config.region, stack: config.stack, keyArn: dataKey.arn,
    dataLakeName: dataLake.name, dataLakeArn: dataLake.arn, findingsTopicArn: notifications.findingsTopic.arn,
    registryFunctionName: registry.accessFunction.name, registryInvokeStatements: registry.invokeStatements,
    logRetentionDays: config.storage.logRetentionDays,
});
// --- Client access: Cognito sign-in with MFA, HTTP API, presigned URLs
const identity = new ClientIdentity("mdetect-clients", { protect: !config.isDev });
const clientApi = new ClientApi("mdetect-api", {
    issuer: identity.issuer, audience: identity.appClientId, bucketName: dataLake.name, bucketArn: dataLake.arn, keyArn: dataKey.arn,
    registry: registry.users, api: config.api, logRetentionDays: config.storage.logRetentionDays,
});

// --- Governance: people, CI, audit, monitoring, cost
const ci = new CiDeploy("ci", {
    repository: config.governance.githubRepository, deployEnvironment: config.governance.githubDeployEnvironment,
    existingProviderArn: config.governance.githubOidcProviderArn, boundary: roleBoundary,
    stateBucketName: config.governance.pulumiStateBucket, secretsKeyArn: config.governance.pulumiSecretsKeyArn, dataLakeBucketArn: dataLake.arn,
});
new AuditTrail("mdetect-trail", {
    trailName, auditBucketName: auditStore.name, dataKeyArn: dataKey.arn, dataLakeBucketArn: dataLake.arn,
}, { dependsOn: [auditStore] });
const silence = new SilenceCheck("mdetect-silence", {
    silenceMinutes: config.governance.silenceMinutes, stack: config.stack, registry: registry.users.reader,
    opsTopicArn: notifications.opsTopic.arn, dataKeyArn: dataKey.arn, logRetentionDays: config.storage.logRetentionDays,
    reserveConcurrency: config.reservedConcurrency,
});
// After every component that builds a Lambda or a queue: it alarms on each.
const monitoring = new Monitoring("mdetect", {
    opsTopicArn: notifications.opsTopic.arn,
    region: config.region,
    functions: inventory.functions,
    deadLetterQueues: inventory.deadLetterQueues,
    stream: { name: realtime.stream.name },
    deliveryStream: { name: realtime.deliveryStream.name, bufferSeconds: config.realtime.firehoseBufferSeconds },
    endpoint: inference.endpoint && inference.endpointConfiguration && {
        name: inference.endpoint.name, variantName: inference.endpointConfiguration.productionVariants.apply((v) => v[0].variantName),
    },
    api: { id: clientApi.api.id },
    database: { identifier: registry.instance.identifier },
    customMetrics: [{ title: "Detectors: silent", metric: { ...silence.metric, stat: "Maximum" } }],
});
// After every component that builds a log group: data engineers read each one.
new PeopleAccess("people", {
    users: config.governance.iamUsers,
    passwordMaxAgeDays: config.governance.passwordMaxAgeDays,
    dataLakeBucketArn: dataLake.arn,
    dataKeyArn: dataKey.arn,
    streamArns: [realtime.stream.arn],
    deliveryStreamArns: [realtime.deliveryStream.arn],
    logGroupArns: inventory.logGroups.map((g) => g.arn),
});
new CostBudget("mdetect-monthly", {
    monthlyUsd: config.governance.budgetMonthlyUsd, tagKey: "project", tagValue: config.tags.project, emails: config.governance.opsEmails,
});

export const region = config.region;
// Clients: sign in to the user pool with the app client, then call the API with the ID token.
export const apiUrl = clientApi.url;
/** The API's OpenAPI 3.1 document (GET with an ID token; docs/api.md). */
export const openApiUrl = clientApi.openApiUrl;
export const userPoolId = identity.userPoolId;
export const userPoolClientId = identity.appClientId;
export const dataKeyArn = dataKey.arn;
export const dataLakeBucket = dataLake.name;
export const registryEndpoint = registry.endpoint;
export const registryAccessFunction = registry.accessFunction.name;
export const inferenceEnabled = inference.enabled;
export const auditBucket = auditStore.name;
export const findingsTopicArn = notifications.findingsTopic.arn;
export const opsTopicArn = notifications.opsTopic.arn;
// Detector firmware: stream to put records on, IoT role alias and credentials endpoint to get credentials from.
export const telemetryStreamName = realtime.streamName;
export const deviceRoleAlias = realtime.roleAliasName;
export const iotCredentialsEndpoint = realtime.credentialsEndpoint;
// Staff: `mdetect detector provision --policy <devicePolicyName> ...` attaches it to each new certificate.
export const devicePolicyName = realtime.devicePolicy.name;
export const deployRoleArn = ci.deployRole.arn;
export const previewRoleArn = ci.previewRole.arn;
export const dashboardName = monitoring.dashboard.dashboardName;
