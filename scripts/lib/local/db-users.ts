/**
 * The registry's database accounts on a local MariaDB. On RDS they authenticate with IAM tokens
 * only (AWSAuthenticationPlugin); the local server has no such plugin, so migration 0004 leaves
 * the read-only account locked there and the application account does not exist. The local cloud
 * gives each account the plan's functions connect as a twin for its own database with a local
 * password that only its RDS front uses (the front has verified the caller's IAM token first:
 * rds-front.ts); the twins hold the real accounts' grants, so what a role may do in the database is
 * enforced by MariaDB itself.
 */
import { createHash } from "crypto";
import type { Connection } from "mysql2/promise";
import { appUserStatements } from "../../../functions/registry/deploy-migration";

/**
 * One fixed local password: it opens nothing the local server's root (no password) does not, and no
 * deployed account has a password at all.
 */
export const LOCAL_DB_PASSWORD = "mdetect-local-front";

/** MySQL account names we interpolate (they cannot be bound). */
const ACCOUNT = /^[a-z_][a-z0-9_]{0,31}$/;

function account(user: string): string {
    if (!ACCOUNT.test(user)) throw new Error(`database user must match ${ACCOUNT}`);
    return `'${user}'@'%'`;
}

/** The local sign-in of `user` for `database`: its own account, so no other database's run touches it. */
export function localAccount(user: string, database: string): string {
    return `${user}_${createHash("sha256").update(database).digest("hex").slice(0, 8)}`;
}

/**
 * Local sign-ins for `users` on `database`, returned as user -> local account. The real accounts are
 * server-wide and every migration of any database re-asserts them (0004 requires TLS, which the local
 * server has not), so they are left as the migrations made them; each gets a twin for this database
 * only, holding a copy of exactly the grants the real account has on it (`SHOW GRANTS`), so MariaDB
 * still enforces what the account may do. `appUser` (the migrator's APP_USER) is created first with
 * the grants the deploy migrator gives it; the others must exist already (made by the migrations),
 * as on RDS. The RDS front signs in to the server as the twin (rds-front.ts).
 */
export async function enableLocalLogins(admin: Connection, database: string, users: readonly string[], appUser?: string): Promise<Map<string, string>> {
    if (appUser) {
        for (const sql of appUserStatements(appUser, database, `IDENTIFIED BY '${LOCAL_DB_PASSWORD}'`)) await admin.query(sql);
    }
    const twins = new Map<string, string>();
    for (const user of new Set([...users, ...(appUser ? [appUser] : [])])) {
        const twin = localAccount(user, database);
        await admin.query(`DROP USER IF EXISTS ${account(twin)}`);
        await admin.query(`CREATE USER ${account(twin)} IDENTIFIED BY '${LOCAL_DB_PASSWORD}'`);
        const [rows] = await admin.query<any[]>(`SHOW GRANTS FOR ${account(user)}`);
        const onDatabase = rows.map((r) => String(Object.values(r)[0])).filter((g) => g.includes(`\`${database}\``));
        for (const grant of onDatabase) await admin.query(grant.replace(/ TO `[^`]+`@`%`.*$/, ` TO ${account(twin)}`));
        twins.set(user, twin);
    }
    return twins;
}

/** Drops `database`, the local twins made for it and the grants accounts hold on it (grants outlive their database otherwise). */
export async function dropDatabaseAndGrants(admin: Connection, database: string): Promise<void> {
    const [rows] = await admin.query<any[]>("SELECT User AS user, Host AS host FROM mysql.db WHERE Db = ?", [database]);
    const suffix = localAccount("", database);
    for (const { user, host } of rows) {
        if (String(user).endsWith(suffix)) await admin.query("DROP USER IF EXISTS ?@?", [user, host]);
        else await admin.query(`REVOKE ALL PRIVILEGES ON \`${database.replace(/`/g, "")}\`.* FROM ?@?`, [user, host]);
    }
    await admin.query(`DROP DATABASE IF EXISTS \`${database.replace(/`/g, "")}\``);
}
