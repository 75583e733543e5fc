/**
 * Schema migration at deploy time, step 2 of 2 (step 1 is migration-launcher.ts, outside the
 * VPC, which hands over the master credentials): runs in the VPC, connects as master over TLS,
 * applies the migrations its code carries, and makes sure the IAM-authenticated application
 * user exists. The credentials are never logged or returned.
 */
import type { Connection, ConnectionOptions } from "mysql2/promise";
import { Migration, migrate } from "./migrate";
import { RDS_TLS, migrationConnection } from "./connect";

export interface MasterCredentials { username: string; password: string }
export interface DeployMigrationReport { applied: string[]; current: number; appUser: string }

/** MySQL/MariaDB identifiers we interpolate into DDL (user and database names cannot be bound). */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,31}$/;
/** How RDS maps a database user to IAM authentication (AWS docs: "Creating a database account using IAM authentication"). */
export const RDS_IAM_AUTH = "IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'";

function identifier(value: string | undefined, what: string): string {
    if (!value || !IDENTIFIER.test(value)) throw new Error(`${what} must match ${IDENTIFIER}`);
    return value;
}

/** The application user: IAM auth only, TLS only, and read/insert/update on the registry (no DDL, no DELETE). */
export function appUserStatements(user: string, database: string, auth = RDS_IAM_AUTH): string[] {
    const u = `'${identifier(user, "application user")}'@'%'`;
    return [
        `CREATE USER IF NOT EXISTS ${u} ${auth}`,
        `ALTER USER ${u} REQUIRE SSL`,
        `GRANT SELECT, INSERT, UPDATE ON \`${identifier(database, "database name")}\`.* TO ${u}`,
    ];
}

export interface DeployMigrationEnv { DB_HOST?: string; DB_PORT?: string; DB_NAME?: string; APP_USER?: string }

export async function runDeployMigration(
    event: unknown,
    env: DeployMigrationEnv,
    migrations: readonly Migration[],
    connect: (options: ConnectionOptions) => Promise<Connection> = (o) => migrationConnection({ ...o, ssl: RDS_TLS }),
    auth = RDS_IAM_AUTH,
): Promise<DeployMigrationReport> {
    const { username, password } = (event ?? {}) as Partial<MasterCredentials>;
    if (typeof username !== "string" || typeof password !== "string") throw new Error("migrator expects { username, password } from the launcher");
    const database = identifier(env.DB_NAME, "DB_NAME");
    const appUser = identifier(env.APP_USER, "APP_USER");
    if (!env.DB_HOST || !env.DB_PORT) throw new Error("DB_HOST and DB_PORT must be set");
    const conn = await connect({ host: env.DB_HOST, port: Number(env.DB_PORT), user: username, password, database });
    try {
        const report = await migrate(conn, migrations, (line) => console.log(line));
        for (const sql of appUserStatements(appUser, database, auth)) await conn.query(sql);
        return { applied: report.applied.map((m) => `${m.version}_${m.name}`), current: report.current, appUser };
    } finally {
        await conn.end();
    }
}
