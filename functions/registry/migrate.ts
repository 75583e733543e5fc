/**
 * Schema migrations: numbered SQL files applied in order, each recorded in schema_migrations
 * with its SHA-256, under a named lock so two deploys never migrate at once.
 *
 * The runner takes the migrations as data (version, name, sql): the CLI and tests read them
 * from schema/migrations, the migration Lambda carries them inside its own code, so nothing
 * reads the repository at run time.
 */
import { createHash } from "crypto";
import type { Connection } from "mysql2/promise";
import { LambdaError } from "../errors";

export interface Migration {
    readonly version: number;
    readonly name: string;
    readonly sql: string;
}

export interface MigrationReport {
    readonly applied: { version: number; name: string }[];
    readonly current: number;
}

export class MigrationError extends LambdaError {
    constructor(message: string) { super("MigrationError", message); }
}

/** A migration file name: `0001_registry.sql` -> version 1, name `registry`. */
const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** Seconds to wait for another runner's lock: longer than any migration we expect. */
const LOCK_TIMEOUT_SECONDS = 60;

export function checksum(sql: string): string {
    return createHash("sha256").update(sql, "utf8").digest("hex");
}

/** Parses `{ fileName: sql }` into ordered migrations; rejects bad names and duplicate versions. */
export function parseMigrations(files: Record<string, string>): Migration[] {
    const migrations = Object.entries(files).map(([file, sql]) => {
        const match = FILE_PATTERN.exec(file);
        if (!match) throw new MigrationError(`migration file '${file}' must be named NNNN_name.sql`);
        return { version: Number(match[1]), name: match[2], sql };
    }).sort((a, b) => a.version - b.version);
    migrations.forEach((m, i) => {
        if (m.version !== i + 1) throw new MigrationError(`migration versions must run 1, 2, 3...: expected ${i + 1}, found ${m.version} (${m.name})`);
    });
    return migrations;
}

/** One hash over every migration: changes whenever a file is added or edited (deploy trigger). */
export function migrationsHash(migrations: readonly Migration[]): string {
    return checksum(migrations.map((m) => `${m.version}:${m.name}:${checksum(m.sql)}`).join("\n"));
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INT UNSIGNED NOT NULL,
    name       VARCHAR(100) NOT NULL,
    checksum   CHAR(64) CHARACTER SET ascii NOT NULL,
    applied_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

interface AppliedRow { version: number; name: string; checksum: string }

/**
 * Applies the pending migrations. `conn` must allow multiple statements (a file is sent whole,
 * so triggers need no DELIMITER games). Refuses, changing nothing, when an applied file was
 * edited or a recorded version no longer exists.
 */
export async function migrate(conn: Connection, migrations: readonly Migration[], log: (line: string) => void = () => undefined): Promise<MigrationReport> {
    const [[{ db }]] = await conn.query<any[]>("SELECT DATABASE() AS db");
    if (!db) throw new MigrationError("no database selected: the URL must name one");
    const lockName = `mdetect_migrate:${db}`;
    const [[{ got }]] = await conn.query<any[]>("SELECT GET_LOCK(?, ?) AS got", [lockName, LOCK_TIMEOUT_SECONDS]);
    if (got !== 1) throw new MigrationError(`another migration holds lock '${lockName}' (waited ${LOCK_TIMEOUT_SECONDS}s)`);
    try {
        await conn.query("SET time_zone = '+00:00'");
        await conn.query(CREATE_TABLE);
        const [rows] = await conn.query<any[]>("SELECT version, name, checksum FROM schema_migrations ORDER BY version");
        const applied = new Map<number, AppliedRow>(rows.map((r: AppliedRow) => [Number(r.version), r]));
        for (const row of applied.values()) {
            const file = migrations.find((m) => m.version === Number(row.version));
            if (!file) throw new MigrationError(`database has migration ${row.version} (${row.name}) that is not in this release: refusing to run an older release against a newer schema`);
            if (checksum(file.sql) !== row.checksum) {
                throw new MigrationError(`migration ${row.version} (${row.name}) changed after it was applied (checksum ${row.checksum.slice(0, 12)} -> ${checksum(file.sql).slice(0, 12)}): never edit an applied migration, add a new one (see schema/migrations/README.md)`);
            }
        }
        const pending = migrations.filter((m) => !applied.has(m.version));
        if (pending.length === 0) log(`schema is current at version ${migrations.length}; nothing to apply`);
        for (const m of pending) {
            log(`applying ${String(m.version).padStart(4, "0")}_${m.name}`);
            try {
                await conn.query(m.sql);
            } catch (err) {
                // DDL commits as it goes in MariaDB: statements before the failing one stay applied.
                throw new MigrationError(`migration ${m.version} (${m.name}) failed: ${(err as Error).message}; earlier statements of this file may be applied, roll forward with a new migration (see schema/migrations/README.md)`);
            }
            await conn.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)", [m.version, m.name, checksum(m.sql)]);
        }
        return { applied: pending.map((m) => ({ version: m.version, name: m.name })), current: migrations.length };
    } finally {
        await conn.query("SELECT RELEASE_LOCK(?)", [lockName]);
    }
}
