/**
 * `mdetect db migrate [--create] --url mysql://user:pass@host:port/db`: applies pending schema
 *   migrations (schema/migrations), refusing if an applied one was edited; `--create` first creates
 *   the database if it does not exist.
 * `mdetect db seed --url ...`: adds the sample registry (scripts/lib/registry-seed.ts); idempotent;
 *   refused with one line when the database has not been migrated.
 * The URL may also come from MDETECT_DB_URL, so a password need not appear in the shell history.
 */
import { migrationConnection, poolFromUrl, urlOptions } from "../../functions/registry/connect";
import { migrate } from "../../functions/registry/migrate";
import { loadMigrations } from "../../functions/registry/load-migrations";
import { seed } from "../lib/registry-seed";
import { Command, action, examples } from "../lib/cli";

const URL_HELP = "mysql://user[:password]@host[:port]/database (default: $MDETECT_DB_URL)";

function databaseUrl(opts: { url?: string }): string {
    const url = opts.url || process.env.MDETECT_DB_URL;
    if (!url) throw new Error("no database URL: pass --url mysql://user[:password]@host[:port]/database or set MDETECT_DB_URL");
    return url;
}

/** MariaDB quotes identifiers with backticks; a backtick inside is doubled. */
function quoteIdentifier(name: string): string {
    return `\`${name.replace(/`/g, "``")}\``;
}

async function runMigrate(opts: { url?: string; create?: boolean }): Promise<number> {
    const options = urlOptions(databaseUrl(opts));
    if (!options.database) throw new Error("the URL must name a database, e.g. mysql://root@127.0.0.1:3306/mdetect");
    if (opts.create) {
        const server = await migrationConnection({ ...options, database: undefined });
        try {
            const [result] = await server.query<any>(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(options.database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
            console.log(result.warningStatus ? `database ${options.database} already exists` : `created database ${options.database}`);
        } finally {
            await server.end();
        }
    }
    const conn = await migrationConnection(options).catch((err) => {
        if (err?.code === "ER_BAD_DB_ERROR") throw new Error(`database '${options.database}' does not exist: run \`mdetect db migrate --create\` to create it`);
        throw err;
    });
    try {
        const report = await migrate(conn, loadMigrations(), (line) => console.log(line));
        console.log(report.applied.length
            ? `applied ${report.applied.length} migration(s); schema at version ${report.current}`
            : `no pending migrations; schema at version ${report.current}`);
        return 0;
    } finally {
        await conn.end();
    }
}

async function runSeed(opts: { url?: string }): Promise<number> {
    const pool = poolFromUrl(databaseUrl(opts), 1);
    try {
        const inserted = await seed(pool).catch((err) => {
            if (err?.code === "ER_NO_SUCH_TABLE" || err?.code === "ER_BAD_DB_ERROR") throw new Error("the registry schema is not there yet: run `mdetect db migrate` first");
            throw err;
        });
        const total = Object.values(inserted).reduce((a, b) => a + b, 0);
        console.log(Object.entries(inserted).map(([table, n]) => `${table}: ${n} inserted`).join("\n"));
        console.log(total ? `seeded ${total} row(s)` : "seed already present; nothing changed");
        return 0;
    } finally {
        await pool.end();
    }
}

export function command(): Command {
    const db = new Command("db").description("registry database: `db migrate` applies schema migrations, `db seed` adds sample data");
    const migrateCmd = new Command("migrate").description("apply pending schema migrations (schema/migrations)")
        .option("--url <url>", URL_HELP)
        .option("--create", "create the database first if it does not exist");
    examples(migrateCmd, ["mdetect db migrate --create --url mysql://root@127.0.0.1:3306/mdetect", "MDETECT_DB_URL=mysql://root@127.0.0.1/mdetect mdetect db migrate"]);
    const seedCmd = new Command("seed").description("add the sample registry (idempotent; migrate first)").option("--url <url>", URL_HELP);
    examples(seedCmd, ["mdetect db seed --url mysql://root@127.0.0.1:3306/mdetect"]);
    db.addCommand(action(migrateCmd, runMigrate)).addCommand(action(seedCmd, runSeed));
    examples(db, ["mdetect db migrate --create --url mysql://root@127.0.0.1:3306/mdetect", "mdetect db seed --url mysql://root@127.0.0.1:3306/mdetect"]);
    return db;
}
