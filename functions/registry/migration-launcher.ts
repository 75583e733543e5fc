/**
 * Schema migration at deploy time, step 1 of 2, outside the VPC (invoked by `pulumi up`): the
 * database's VPC has no route to Secrets Manager (an interface endpoint would cost about $9 a
 * month, half the micro instance), so this reads the RDS-managed master secret and synchronously
 * invokes the VPC migrator (deploy-migration.ts) with it. The secret exists only in memory and
 * in the TLS invoke payload; it is never logged, returned or stored.
 * Kept apart from deploy-migration.ts so this function's code carries no database driver.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { DeployMigrationReport, MasterCredentials } from "./deploy-migration";

export interface LaunchArgs {
    readonly secrets: SecretsManagerClient;
    readonly lambda: LambdaClient;
    readonly secretArn: string;
    readonly migratorName: string;
}

export async function launchMigration(args: LaunchArgs): Promise<DeployMigrationReport> {
    const secret = await args.secrets.send(new GetSecretValueCommand({ SecretId: args.secretArn }));
    const { username, password } = JSON.parse(secret.SecretString ?? "{}") as Partial<MasterCredentials>;
    if (!username || !password) throw new Error("the master secret has no username/password");
    const out = await args.lambda.send(new InvokeCommand({
        FunctionName: args.migratorName,
        InvocationType: "RequestResponse",
        Payload: Buffer.from(JSON.stringify({ username, password } satisfies MasterCredentials)),
    }));
    const body = out.Payload ? JSON.parse(Buffer.from(out.Payload).toString("utf8")) : undefined;
    // The migrator's error message (e.g. "migration 3 (x) failed: ...") fails `pulumi up` with it.
    if (out.FunctionError) throw new Error(`schema migration failed: ${body?.errorMessage ?? out.FunctionError}`);
    return body as DeployMigrationReport;
}
