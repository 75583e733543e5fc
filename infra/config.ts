/**
 * The stack's configuration, read once into a typed, validated object.
 *
 * Defaults live in Pulumi.yaml only (the Pulumi CLI, and scripts/lib/mock-run.ts offline,
 * merge them with the stack file), so this module requires every key rather than repeating them.
 */
import * as pulumi from "@pulumi/pulumi";
import { PRESIGN_MAX_SECONDS } from "../functions/api/limits";

export type StreamMode = "PROVISIONED" | "ON_DEMAND";
export type EndpointMode = "serverless" | "instance";
export type RecordEncoding = "gzip" | "plain";

export interface FleetConfig {
    readonly detectorCount: number;
    readonly bytesPerSecondPerDetector: number;
    readonly readingsPerRecord: number;
    /** What the firmware sends: gzip records (the contract's default) or plain NDJSON. */
    readonly recordEncoding: RecordEncoding;
    readonly compressionRatio: number;
    readonly clientCount: number;
    readonly apiCallsPerMonth: number;
}

export interface StorageConfig {
    readonly rawToGlacierDays: number;
    readonly rawToDeepArchiveDays: number;
    readonly curatedToInfrequentAccessDays: number;
    readonly curatedToGlacierDays: number;
    readonly expireDays: number;
    readonly quarantineRetentionDays: number;
    readonly noncurrentVersionDays: number;
    readonly auditToGlacierDays: number;
    readonly auditExpireDays: number;
    readonly logRetentionDays: number;
}

export interface RealtimeConfig {
    readonly streamMode: StreamMode;
    readonly firehoseBufferMiB: number;
    readonly firehoseBufferSeconds: number;
}

export interface RegistryConfig {
    readonly instanceClass: string;
    readonly allocatedStorageGb: number;
    readonly maxAllocatedStorageGb: number;
    readonly multiAz: boolean;
    readonly backupRetentionDays: number;
}

export interface InferenceConfig {
    /** Local path or s3:// URI of model.tar.gz; undefined disables inference. */
    readonly modelArtifact?: string;
    readonly endpointMode: EndpointMode;
    readonly serverlessMemoryMb: number;
    readonly serverlessMaxConcurrency: number;
    readonly endpointInstanceType: string;
    readonly alertThreshold: number;
    /** Who is e-mailed about which client's findings (mdetect:clientAlertSubscriptions). */
    readonly alertSubscriptions: readonly AlertSubscription[];
}

export interface AlertSubscription {
    readonly email: string;
    /** Registry client ids whose alerts this address receives. */
    readonly clientIds: readonly string[];
}

export interface ApiConfig {
    readonly presignExpirySeconds: number;
    readonly throttleRatePerSecond: number;
    readonly throttleBurst: number;
    readonly corsOrigins: readonly string[];
}

/** The IAM groups people belong to (infra/governance/access.ts). */
export const PEOPLE_GROUPS = ["admins", "data-engineers", "analysts"] as const;
export type PeopleGroup = typeof PEOPLE_GROUPS[number];

export interface IamUserSpec {
    readonly name: string;
    readonly groups: readonly PeopleGroup[];
}

export interface GovernanceConfig {
    readonly iamUsers: readonly IamUserSpec[];
    readonly githubRepository: string;
    /** CI identity: the deploy job's GitHub environment, an existing OIDC provider, what a preview reads. */
    readonly githubDeployEnvironment: string;
    readonly githubOidcProviderArn?: string;
    readonly pulumiStateBucket?: string;
    readonly pulumiSecretsKeyArn?: string;
    readonly passwordMaxAgeDays: number;
    readonly budgetMonthlyUsd: number;
    readonly opsEmails: readonly string[];
    readonly silenceMinutes: number;
}

export interface PipelineConfig {
    readonly project: string;
    readonly stack: string;
    readonly region: string;
    /** dev stacks trade durability for cost (no deletion protection, single AZ). */
    readonly isDev: boolean;
    readonly tags: Readonly<Record<string, string>>;
    readonly requiredTags: readonly string[];
    readonly fleet: FleetConfig;
    readonly storage: StorageConfig;
    readonly realtime: RealtimeConfig;
    readonly registry: RegistryConfig;
    readonly inference: InferenceConfig;
    readonly api: ApiConfig;
    readonly governance: GovernanceConfig;
    /** Reserve Lambda concurrency for the registry's functions (mdetect:reservedConcurrency; off in dev). */
    readonly reservedConcurrency: boolean;
}

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
/** S3 Glacier Flexible Retrieval bills a 90-day minimum, so Deep Archive should not come sooner. */
const GLACIER_MINIMUM_DAYS = 90;
/** S3 refuses lifecycle transitions to Standard-IA before 30 days. */
const STANDARD_IA_MINIMUM_DAYS = 30;
export { PRESIGN_MAX_SECONDS };

/** A stack config value the program refuses; the CLI prints its message as one line. */
export class ConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

function check(condition: boolean, message: string): void {
    if (!condition) throw new ConfigError(`invalid config: ${message}`);
}

function positiveInt(cfg: pulumi.Config, key: string, min = 1): number {
    const value = cfg.requireNumber(key);
    check(Number.isInteger(value) && value >= min, `mdetect:${key} must be an integer >= ${min}, got ${value}`);
    return value;
}

function fraction(cfg: pulumi.Config, key: string): number {
    const value = Number(cfg.require(key));
    check(Number.isFinite(value) && value > 0 && value <= 1, `mdetect:${key} must be a number in (0, 1], got ${cfg.require(key)}`);
    return value;
}

function oneOf<T extends string>(cfg: pulumi.Config, key: string, allowed: readonly T[]): T {
    const value = cfg.require(key);
    check((allowed as readonly string[]).includes(value), `mdetect:${key} must be one of ${allowed.join(", ")}, got ${value}`);
    return value as T;
}

function stringList(cfg: pulumi.Config, key: string): string[] {
    const value = cfg.requireObject<unknown>(key);
    check(Array.isArray(value) && value.every((v) => typeof v === "string"), `mdetect:${key} must be a list of strings`);
    return value as string[];
}

function readStorage(cfg: pulumi.Config): StorageConfig {
    const storage: StorageConfig = {
        rawToGlacierDays: positiveInt(cfg, "rawToGlacierDays", 0),
        rawToDeepArchiveDays: positiveInt(cfg, "rawToDeepArchiveDays"),
        curatedToInfrequentAccessDays: positiveInt(cfg, "curatedToInfrequentAccessDays", STANDARD_IA_MINIMUM_DAYS),
        curatedToGlacierDays: positiveInt(cfg, "curatedToGlacierDays"),
        expireDays: positiveInt(cfg, "expireDays", 0),
        quarantineRetentionDays: positiveInt(cfg, "quarantineRetentionDays"),
        noncurrentVersionDays: positiveInt(cfg, "noncurrentVersionDays"),
        auditToGlacierDays: positiveInt(cfg, "auditToGlacierDays", 0),
        auditExpireDays: positiveInt(cfg, "auditExpireDays"),
        logRetentionDays: positiveInt(cfg, "logRetentionDays"),
    };
    check(storage.rawToDeepArchiveDays >= storage.rawToGlacierDays + GLACIER_MINIMUM_DAYS,
        `rawToDeepArchiveDays (${storage.rawToDeepArchiveDays}) must be at least rawToGlacierDays + ${GLACIER_MINIMUM_DAYS}`);
    check(storage.curatedToGlacierDays >= storage.curatedToInfrequentAccessDays + STANDARD_IA_MINIMUM_DAYS,
        `curatedToGlacierDays must be at least curatedToInfrequentAccessDays + ${STANDARD_IA_MINIMUM_DAYS} (Standard-IA minimum)`);
    check(storage.expireDays === 0 || storage.expireDays > Math.max(storage.rawToDeepArchiveDays, storage.curatedToGlacierDays),
        "expireDays must be 0 (keep) or later than every transition");
    check(storage.auditExpireDays > storage.auditToGlacierDays, "auditExpireDays must be later than auditToGlacierDays");
    check((LOG_RETENTION_DAYS as readonly number[]).includes(storage.logRetentionDays),
        `logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")}`);
    return storage;
}

/** IAM user names: letters, digits and +=,.@_- up to 64 characters (IAM CreateUser). */
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;
/** GitHub owner/name, as it appears in the OIDC token's sub claim. */
const GITHUB_REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** `mdetect:iamUsers` entries "name=group1+group2": each user in at least one known group, names unique. */
export function parseIamUsers(entries: readonly string[]): IamUserSpec[] {
    const users = entries.map((entry) => {
        const match = /^([^=]+)=(.+)$/.exec(entry);
        check(match !== null, `mdetect:iamUsers entry "${entry}" must look like name=group1+group2`);
        const [, name, groupList] = match!;
        check(IAM_USER_NAME.test(name), `mdetect:iamUsers user name "${name}" is not a valid IAM user name`);
        const groups = groupList.split("+");
        for (const group of groups) {
            check((PEOPLE_GROUPS as readonly string[]).includes(group), `mdetect:iamUsers user ${name}: unknown group "${group}" (groups: ${PEOPLE_GROUPS.join(", ")})`);
        }
        check(new Set(groups).size === groups.length, `mdetect:iamUsers user ${name} lists a group twice`);
        return { name, groups: groups as PeopleGroup[] };
    });
    const names = users.map((u) => u.name.toLowerCase());
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    // IAM user names are case-insensitive.
    check(duplicate === undefined, `mdetect:iamUsers lists user ${duplicate} twice`);
    return users;
}

/** A deliverable e-mail address, loosely: one @, no spaces, a dotted domain. */
const EMAIL = /^[^\s@=]+@[^\s@=]+\.[^\s@=]+$/;
/** Registry ids are UUIDs (schema/migrations/0001_registry.sql). */
const CLIENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function checkEmail(key: string, email: string): void {
    check(EMAIL.test(email), `mdetect:${key}: "${email}" is not an e-mail address`);
}

/** `mdetect:opsEmails`: each an e-mail address, each once (SNS keeps one subscription per address). */
export function parseEmails(key: string, entries: readonly string[]): string[] {
    for (const email of entries) checkEmail(key, email);
    const lower = entries.map((e) => e.toLowerCase());
    const duplicate = lower.find((e, i) => lower.indexOf(e) !== i);
    check(duplicate === undefined, `mdetect:${key} lists ${duplicate} twice`);
    return [...entries];
}

/**
 * `mdetect:clientAlertSubscriptions` entries "email=client_id[+client_id...]". An address appears
 * once (SNS keeps one subscription per address and topic, so one filter policy lists its clients).
 */
export function parseAlertSubscriptions(entries: readonly string[]): AlertSubscription[] {
    const subscriptions = entries.map((entry) => {
        const match = /^([^=]+)=(.+)$/.exec(entry);
        check(match !== null, `mdetect:clientAlertSubscriptions entry "${entry}" must look like email=client_id`);
        const [, email, idList] = match!;
        checkEmail("clientAlertSubscriptions", email);
        const clientIds = idList.split("+");
        for (const id of clientIds) check(CLIENT_ID.test(id), `mdetect:clientAlertSubscriptions ${email}: client id "${id}" must be a registry UUID (lower case)`);
        check(new Set(clientIds).size === clientIds.length, `mdetect:clientAlertSubscriptions ${email} lists a client twice`);
        return { email, clientIds };
    });
    const emails = subscriptions.map((s) => s.email.toLowerCase());
    const duplicate = emails.find((e, i) => emails.indexOf(e) !== i);
    check(duplicate === undefined, `mdetect:clientAlertSubscriptions lists ${duplicate} twice: join its clients with "+"`);
    return subscriptions;
}

/** Reads and validates the stack configuration. Throws ConfigError naming the offending key. */
export function loadConfig(): PipelineConfig {
    const cfg = new pulumi.Config("mdetect");
    const region = new pulumi.Config("aws").require("region");
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const modelArtifact = cfg.get("modelArtifact") || undefined;
    const presignExpirySeconds = positiveInt(cfg, "presignExpirySeconds");
    check(presignExpirySeconds <= PRESIGN_MAX_SECONDS, `mdetect:presignExpirySeconds must be at most ${PRESIGN_MAX_SECONDS}`);
    const serverlessMemoryMb = positiveInt(cfg, "serverlessMemoryMb");
    check([1024, 2048, 3072, 4096, 5120, 6144].includes(serverlessMemoryMb), "mdetect:serverlessMemoryMb must be 1024-6144 in 1024 steps");
    const firehoseBufferSeconds = positiveInt(cfg, "firehoseBufferSeconds", 0);
    check(firehoseBufferSeconds <= 900, "mdetect:firehoseBufferSeconds must be 0-900");
    const firehoseBufferMiB = positiveInt(cfg, "firehoseBufferMiB");
    check(firehoseBufferMiB <= 128, "mdetect:firehoseBufferMiB must be 1-128");
    const backupRetentionDays = positiveInt(cfg, "dbBackupRetentionDays", 7);
    const githubRepository = cfg.require("githubRepository");
    check(GITHUB_REPOSITORY.test(githubRepository), `mdetect:githubRepository must be owner/name, got ${githubRepository}`);
    check(backupRetentionDays <= 35, "mdetect:dbBackupRetentionDays must be 7-35");

    return {
        project,
        stack,
        region,
        isDev: stack === "dev" || stack.startsWith("dev-"),
        tags: {
            project: "mdetect",
            environment: stack,
            "cost-center": cfg.require("costCenter"),
            owner: cfg.require("owner"),
        },
        requiredTags: stringList(cfg, "requiredTags"),
        fleet: {
            detectorCount: positiveInt(cfg, "detectorCount"),
            bytesPerSecondPerDetector: positiveInt(cfg, "bytesPerSecondPerDetector"),
            readingsPerRecord: positiveInt(cfg, "readingsPerRecord"),
            recordEncoding: oneOf(cfg, "recordEncoding", ["gzip", "plain"] as const),
            compressionRatio: fraction(cfg, "compressionRatio"),
            clientCount: positiveInt(cfg, "clientCount"),
            apiCallsPerMonth: positiveInt(cfg, "apiCallsPerMonth", 0),
        },
        storage: readStorage(cfg),
        realtime: {
            streamMode: oneOf(cfg, "streamMode", ["PROVISIONED", "ON_DEMAND"] as const),
            firehoseBufferMiB,
            firehoseBufferSeconds,
        },
        registry: {
            instanceClass: cfg.require("dbInstanceClass"),
            allocatedStorageGb: positiveInt(cfg, "dbAllocatedStorageGb", 20),
            maxAllocatedStorageGb: positiveInt(cfg, "dbMaxAllocatedStorageGb", 20),
            multiAz: cfg.requireBoolean("dbMultiAz"),
            backupRetentionDays,
        },
        inference: {
            modelArtifact,
            endpointMode: oneOf(cfg, "endpointMode", ["serverless", "instance"] as const),
            serverlessMemoryMb,
            serverlessMaxConcurrency: positiveInt(cfg, "serverlessMaxConcurrency"),
            endpointInstanceType: cfg.require("endpointInstanceType"),
            alertThreshold: fraction(cfg, "alertThreshold"),
            alertSubscriptions: parseAlertSubscriptions(stringList(cfg, "clientAlertSubscriptions")),
        },
        api: {
            presignExpirySeconds,
            throttleRatePerSecond: positiveInt(cfg, "apiThrottleRatePerSecond"),
            throttleBurst: positiveInt(cfg, "apiThrottleBurst"),
            corsOrigins: stringList(cfg, "corsOrigins"),
        },
        governance: {
            iamUsers: parseIamUsers(stringList(cfg, "iamUsers")),
            githubRepository,
            githubDeployEnvironment: cfg.get("githubDeployEnvironment") || stack,
            githubOidcProviderArn: cfg.get("githubOidcProviderArn") || undefined,
            pulumiStateBucket: cfg.get("pulumiStateBucket") || undefined,
            pulumiSecretsKeyArn: cfg.get("pulumiSecretsKeyArn") || undefined,
            passwordMaxAgeDays: positiveInt(cfg, "passwordMaxAgeDays"),
            budgetMonthlyUsd: positiveInt(cfg, "budgetMonthlyUsd"),
            opsEmails: parseEmails("opsEmails", stringList(cfg, "opsEmails")),
            silenceMinutes: positiveInt(cfg, "silenceMinutes"),
        },
        reservedConcurrency: cfg.requireBoolean("reservedConcurrency"),
    };
}
