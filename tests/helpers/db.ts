/**
 * A real, migrated MariaDB database per test suite: uniquely named on the server at
 * MDETECT_TEST_DB_URL (default mysql://root@127.0.0.1:3306), dropped by `drop()`.
 */
import { randomBytes } from "crypto";
import type { Pool } from "mysql2/promise";
import { poolFromUrl, migrationConnection, urlOptions } from "../../functions/registry/connect";
import { migrate } from "../../functions/registry/migrate";
import { loadMigrations } from "../../functions/registry/load-migrations";
import { dropDatabaseAndGrants } from "../../scripts/lib/local/db-users";

export const SERVER_URL = process.env.MDETECT_TEST_DB_URL ?? "mysql://root@127.0.0.1:3306";

export interface TestDatabase {
    /** URL of the test database, for CLIs and other pools. */
    readonly url: string;
    readonly name: string;
    readonly pool: Pool;
    drop(): Promise<void>;
}

/** URL of `database` on the test server. */
export function databaseUrl(database: string): string {
    const url = new URL(SERVER_URL);
    url.pathname = `/${database}`;
    return url.toString();
}

/** Creates an empty, uniquely named database; `migrated: false` leaves it without schema. */
export async function withTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
    const name = `mdetect_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
    const server = urlOptions(SERVER_URL);
    const admin = await migrationConnection({ ...server, database: undefined });
    try {
        await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
        if (options.migrated !== false) {
            await admin.query(`USE \`${name}\``);
            await migrate(admin, loadMigrations());
        }
    } finally {
        await admin.end();
    }
    const url = databaseUrl(name);
    const pool = poolFromUrl(url);
    return {
        url,
        name,
        pool,
        async drop() {
            await pool.end();
            const conn = await migrationConnection({ ...server, database: undefined });
            try {
                await dropDatabaseAndGrants(conn, name);
            } finally {
                await conn.end();
            }
        },
    };
}
