/**
 * `mdetect db migrate --url mysql://user:pass@host:port/db`: applies pending schema migrations
 *   (schema/migrations), refusing if an applied one was edited.
 * `mdetect db seed --url ...`: adds the sample registry (scripts/lib/registry-seed.ts); idempotent.
 * The URL may also come from MDETECT_DB_URL, so a password need not appear in the shell history.
 */
import { parseArgs } from "../lib/args";
import { migrationConnection, poolFromUrl, urlOptions } from "../../functions/registry/connect";
import { migrate } from "../../functions/registry/migrate";
import { loadMigrations } from "../../functions/registry/load-migrations";
import { seed } from "../lib/registry-seed";

export const description = "registry database: `db migrate --url URL` applies schema migrations, `db seed --url URL` adds sample data";

const USAGE = "usage: mdetect db <migrate|seed> --url mysql://user[:password]@host[:port]/database (or MDETECT_DB_URL)";

async function runMigrate(url: string): Promise<number> {
    const options = urlOptions(url);
    if (!options.database) throw new Error("the URL must name a database, e.g. mysql://root@127.0.0.1:3306/mdetect");
    const conn = await migrationConnection(options);
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

async function runSeed(url: string): Promise<number> {
    const pool = poolFromUrl(url, 1);
    try {
        const inserted = await seed(pool);
        const total = Object.values(inserted).reduce((a, b) => a + b, 0);
        console.log(Object.entries(inserted).map(([table, n]) => `${table}: ${n} inserted`).join("\n"));
        console.log(total ? `seeded ${total} row(s)` : "seed already present; nothing changed");
        return 0;
    } finally {
        await pool.end();
    }
}

export async function run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, { url: "string" });
    const [action, ...extra] = args.positionals;
    const url = (args.url as string | undefined) ?? process.env.MDETECT_DB_URL;
    if (!url || extra.length || (action !== "migrate" && action !== "seed")) {
        console.error(USAGE);
        return 2;
    }
    return action === "migrate" ? runMigrate(url) : runSeed(url);
}
