/**
 * Registry: the sensor registry's RDS MariaDB 10.11 in the private network, its schema applied
 * at every deploy, and the small VPC Lambda through which functions outside the VPC use it.
 *
 * - The master password is generated and rotated by RDS in Secrets Manager (encrypted with the
 *   DataKey): it never appears in config, state inputs, or any Lambda's code.
 * - Lambdas authenticate with IAM tokens (no password) over TLS (the parameter group refuses
 *   plain connections), each as the database user its job needs: functions that only read as
 *   READ_USER (SELECT only: migration 0004), functions that write as APP_USER; each role may
 *   `rds-db:connect` as its own user only.
 * - `pulumi up` invokes the migration launcher whenever the migration files (or the instance)
 *   change; the migrator carries the SQL in its own code (read here, at program time).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PipelineFunction, PolicyStatement } from "./lambda";
import { PrivateNetwork, DB_PORT } from "./network";
import { RegistryConfig } from "./config";
import { unusedPackages } from "./governance/packages";
import { loadMigrations } from "../functions/registry/load-migrations";
import { migrationsHash } from "../functions/registry/migrate";
import { runDeployMigration } from "../functions/registry/deploy-migration";
import { launchMigration } from "../functions/registry/migration-launcher";
import { handleAccessRequest } from "../functions/registry/access-handler";
import { lambdaPool } from "../functions/registry/connect";

export const DB_NAME = "mdetect";
export const APP_USER = "mdetect_app";
/** Created by schema/migrations/0004_read_only_user.sql with SELECT only. */
export const READ_USER = "mdetect_reader";
const MASTER_USER = "mdetect_admin";
const ENGINE_VERSION = "10.11";
/** A migration is DDL on a small schema: seconds; five minutes covers a large ALTER on a micro instance. */
const MIGRATE_TIMEOUT_SECONDS = 300;
/** Registry calls are single indexed queries; 15 s covers a cold VPC start plus IAM token signing. */
const ACCESS_TIMEOUT_SECONDS = 15;
/**
 * A db.t4g.micro allows about 60 connections; each access container holds at most two, so ten
 * concurrent containers stay well inside that alongside the other VPC Lambdas. Callers retry throttles.
 */
const ACCESS_CONCURRENCY = 10;
const MEMORY_MB = 256;

export interface RegistryArgs {
    readonly network: PrivateNetwork;
    readonly config: RegistryConfig;
    /** dev stacks: no deletion protection and no final snapshot. */
    readonly isDev: boolean;
    readonly region: string;
    readonly dataKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** Reserve the functions' concurrency (off where the account quota has no room: docs/deployment.md). */
    readonly reserveConcurrency: boolean;
}

/** How a VPC Lambda reaches the registry as one database user: spread into PipelineFunction args. */
export interface RegistryAccess {
    readonly vpc: { subnetIds: pulumi.Input<pulumi.Input<string>[]>; securityGroupIds: pulumi.Input<pulumi.Input<string>[]> };
    readonly environment: Record<string, pulumi.Input<string>>;
    readonly connectStatements: PolicyStatement[];
}

/** The registry's two ways in: read-only, and read-write for the functions that record. */
export interface RegistryUsers {
    readonly reader: RegistryAccess;
    readonly writer: RegistryAccess;
}

/** The RDS parameters that matter: TLS only, and triggers creatable by the (non-SUPER) master user. */
export const DB_PARAMETERS: Record<string, string> = {
    require_secure_transport: "1",
    // With binary logging on (automated backups), RDS refuses CREATE TRIGGER from a user
    // without SUPER unless this is set; the overlap check is a trigger.
    log_bin_trust_function_creators: "1",
    character_set_server: "utf8mb4",
    collation_server: "utf8mb4_unicode_ci",
    time_zone: "UTC",
};

export class Registry extends pulumi.ComponentResource {
    public readonly instance: aws.rds.Instance;
    public readonly users: RegistryUsers;
    /** The registry access Lambda for functions outside the VPC (functions/registry/access-client.ts). */
    public readonly accessFunction: aws.lambda.Function;
    /** Grants invoking the access Lambda, and nothing else. */
    public readonly invokeStatements: PolicyStatement[];
    public readonly migration: aws.lambda.Invocation;
    public readonly endpoint: pulumi.Output<string>;

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:registry:Registry", name, {}, opts);
        const parent = { parent: this };
        const account = aws.getCallerIdentityOutput({}, parent).accountId;

        const subnetGroup = new aws.rds.SubnetGroup(name, {
            description: "Registry: private isolated subnets in two AZs",
            subnetIds: args.network.subnetIds,
        }, parent);
        const parameters = new aws.rds.ParameterGroup(name, {
            family: `mariadb${ENGINE_VERSION}`,
            description: "Registry: TLS only, UTC, utf8mb4, triggers allowed",
            parameters: Object.entries(DB_PARAMETERS).map(([pname, value]) => ({ name: pname, value, applyMethod: "pending-reboot" })),
        }, parent);

        this.instance = new aws.rds.Instance(name, {
            engine: "mariadb",
            engineVersion: ENGINE_VERSION,
            autoMinorVersionUpgrade: true,
            instanceClass: args.config.instanceClass,
            storageType: "gp3",
            allocatedStorage: args.config.allocatedStorageGb,
            maxAllocatedStorage: args.config.maxAllocatedStorageGb,
            multiAz: args.config.multiAz,
            dbName: DB_NAME,
            username: MASTER_USER,
            manageMasterUserPassword: true,
            masterUserSecretKmsKeyId: args.dataKeyArn,
            iamDatabaseAuthenticationEnabled: true,
            storageEncrypted: true,
            kmsKeyId: args.dataKeyArn,
            publiclyAccessible: false,
            port: DB_PORT,
            dbSubnetGroupName: subnetGroup.name,
            vpcSecurityGroupIds: [args.network.dbSecurityGroup.id],
            parameterGroupName: parameters.name,
            backupRetentionPeriod: args.config.backupRetentionDays,
            copyTagsToSnapshot: true,
            deletionProtection: !args.isDev,
            skipFinalSnapshot: args.isDev,
            finalSnapshotIdentifier: args.isDev ? undefined : `${name}-final`,
            caCertIdentifier: "rds-ca-rsa2048-g1",
        }, parent);
        this.endpoint = this.instance.address;

        const vpc = { subnetIds: args.network.subnetIds, securityGroupIds: [args.network.lambdaSecurityGroup.id] };
        const dbEnvironment = { DB_HOST: this.instance.address, DB_PORT: String(DB_PORT), DB_NAME };
        const as = (user: string): RegistryAccess => ({
            vpc,
            environment: { ...dbEnvironment, DB_USER: user },
            connectStatements: [{
                Sid: "ConnectToRegistry",
                Effect: "Allow",
                Action: "rds-db:connect",
                Resource: pulumi.interpolate`arn:aws:rds-db:${args.region}:${account}:dbuser:${this.instance.resourceId}/${user}`,
            }],
        });
        this.users = { reader: as(READ_USER), writer: as(APP_USER) };

        // --- migrations, applied at deploy
        const migrations = loadMigrations();
        const migrator = new PipelineFunction(`${name}-migrator`, {
            description: "Applies the registry schema migrations and ensures the IAM application user",
            callback: async (event: unknown) => runDeployMigration(event, process.env, migrations),
            statements: [],
            memorySizeMb: MEMORY_MB,
            timeoutSeconds: MIGRATE_TIMEOUT_SECONDS,
            logRetentionDays: args.logRetentionDays,
            environment: { ...dbEnvironment, APP_USER },
            vpc,
            reservedConcurrency: args.reserveConcurrency ? 1 : undefined,
            // mysql2 and the signer: the captured connect module carries both.
            excludePackages: unusedPackages(["mysql2", "@aws-sdk/rds-signer"]),
        }, parent);

        const secretArn = this.instance.masterUserSecrets.apply((s) => s[0].secretArn);
        const launcher = new PipelineFunction(`${name}-migrate-launcher`, {
            description: "Hands the RDS-managed master secret to the VPC migrator (the VPC cannot reach Secrets Manager)",
            callback: async () => launchMigration({
                secrets: new SecretsManagerClient({}),
                lambda: new LambdaClient({}),
                secretArn: process.env.MASTER_SECRET_ARN!,
                migratorName: process.env.MIGRATOR_NAME!,
            }),
            statements: [
                { Sid: "ReadMasterSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn },
                {
                    // Only as Secrets Manager reads this secret (it names the secret's ARN as encryption context).
                    Sid: "DecryptMasterSecret", Effect: "Allow", Action: "kms:Decrypt", Resource: args.dataKeyArn,
                    Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${args.region}.amazonaws.com`, "kms:EncryptionContext:SecretARN": secretArn } },
                },
                { Sid: "RunMigrator", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: migrator.function.arn },
            ],
            memorySizeMb: MEMORY_MB,
            timeoutSeconds: MIGRATE_TIMEOUT_SECONDS + 30,
            logRetentionDays: args.logRetentionDays,
            environment: { MASTER_SECRET_ARN: secretArn, MIGRATOR_NAME: migrator.function.name },
            // Project convention for functions run by an Invocation; the event holds no secret.
            deadLetterKeyArn: args.dataKeyArn,
            reservedConcurrency: args.reserveConcurrency ? 1 : undefined,
            excludePackages: unusedPackages(["@aws-sdk/client-secrets-manager", "@aws-sdk/client-lambda"]),
        }, parent);

        this.migration = new aws.lambda.Invocation(`${name}-migrate`, {
            functionName: launcher.function.name,
            input: JSON.stringify({ action: "migrate" }),
            // Re-run when a migration file changes or the database is replaced.
            triggers: { migrations: migrationsHash(migrations), instance: this.instance.resourceId },
        }, { parent: this, dependsOn: [this.instance, migrator, launcher] });

        // --- registry access for Lambdas outside the VPC
        const accessFn = new PipelineFunction(`${name}-access`, {
            description: "Registry operations (ownersAt, recordDataFile, recordFinding) for Lambdas outside the VPC",
            callback: async (event: unknown) => handleAccessRequest(lambdaPool, event),
            statements: this.users.writer.connectStatements,
            memorySizeMb: MEMORY_MB,
            timeoutSeconds: ACCESS_TIMEOUT_SECONDS,
            logRetentionDays: args.logRetentionDays,
            environment: this.users.writer.environment,
            vpc,
            reservedConcurrency: args.reserveConcurrency ? ACCESS_CONCURRENCY : undefined,
            excludePackages: unusedPackages(["mysql2", "@aws-sdk/rds-signer"]),
        }, { parent: this, dependsOn: [this.migration] });
        this.accessFunction = accessFn.function;
        this.invokeStatements = [{ Sid: "UseRegistry", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: accessFn.function.arn }];

        this.registerOutputs({ endpoint: this.endpoint, accessFunctionName: accessFn.function.name });
    }
}
