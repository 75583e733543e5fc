/**
 * The registry's database accounts on a local MariaDB. On RDS they authenticate with IAM tokens
 * only (AWSAuthenticationPlugin); the local server has no such plugin, so migration 0004 leaves
 * the read-only account locked there and the application account does not exist. The local cloud
 * gives each account the plan's functions connect as a local password that only its RDS front
 * uses (the front has verified the caller's IAM token first: rds-front.ts); the accounts' grants
 * are the real ones, so what a role may do in the database is enforced by MariaDB itself.
 */
import type { Connection } from "mysql2/promise";
import { appUserStatements } from "../../../functions/registry/deploy-migration";

/**
 * One fixed local password: accounts are server-wide and several local clouds share one MariaDB,
 * so a per-run secret would lock the others out. It opens nothing the local server's root (no
 * password) does not, and no deployed account has a password at all.
 */
export const LOCAL_DB_PASSWORD = "mdetect-local-front";

/** MySQL account names we interpolate (they cannot be bound). */
const ACCOUNT = /^[a-z_][a-z0-9_]{0,31}$/;

function account(user: string): string {
    if (!ACCOUNT.test(user)) throw new Error(`database user must match ${ACCOUNT}`);
    return `'${user}'@'%'`;
}

/**
 * Makes `users` able to sign in to the local server with LOCAL_DB_PASSWORD. `appUser` (the
 * migrator's APP_USER) is created first with the grants the deploy migrator gives it on `database`;
 * the others must exist already (created by the migrations), as on RDS. REQUIRE NONE: the local
 * server has no TLS (the front terminates the TLS the functions speak).
 */
export async function enableLocalLogins(admin: Connection, database: string, users: readonly string[], appUser?: string): Promise<void> {
    if (appUser) {
        for (const sql of appUserStatements(appUser, database, `IDENTIFIED BY '${LOCAL_DB_PASSWORD}'`)) await admin.query(sql);
    }
    for (const user of new Set(users)) {
        await admin.query(`ALTER USER ${account(user)} IDENTIFIED BY '${LOCAL_DB_PASSWORD}' REQUIRE NONE ACCOUNT UNLOCK`);
    }
}

/** Drops `database` and the grants accounts hold on it (grants outlive their database otherwise). */
export async function dropDatabaseAndGrants(admin: Connection, database: string): Promise<void> {
    const [rows] = await admin.query<any[]>("SELECT User AS user, Host AS host FROM mysql.db WHERE Db = ?", [database]);
    for (const { user, host } of rows) await admin.query(`REVOKE ALL PRIVILEGES ON \`${database.replace(/`/g, "")}\`.* FROM ?@?`, [user, host]);
    await admin.query(`DROP DATABASE IF EXISTS \`${database.replace(/`/g, "")}\``);
}
