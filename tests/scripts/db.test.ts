import { expect } from "chai";
import { loadMigrations } from "../../functions/registry/load-migrations";
import { spawnSync } from "child_process";
import * as path from "path";
import { randomBytes } from "crypto";
import { withTestDatabase, TestDatabase, databaseUrl, SERVER_URL } from "../helpers/db";
import { migrationConnection, urlOptions } from "../../functions/registry/connect";
import { SEED } from "../../scripts/lib/registry-seed";
import { ownerAt } from "../../functions/registry";

const BIN = path.resolve(__dirname, "..", "..", "bin", "mdetect.js");
const TABLES = ["schema_migrations", ...SEED.map((s) => s.table)];

function cli(...args: string[]): { status: number | null; out: string; err: string } {
    const r = spawnSync(process.execPath, [BIN, "db", ...args], { encoding: "utf8", env: { ...process.env, MDETECT_DB_URL: "" } });
    return { status: r.status, out: r.stdout, err: r.stderr };
}

describe("scripts: mdetect db", () => {
    let db: TestDatabase;
    before(async () => { db = await withTestDatabase({ migrated: false }); });
    after(() => db.drop());

    async function fingerprint(): Promise<Record<string, unknown>> {
        const [rows] = await db.pool.query<any[]>(`CHECKSUM TABLE ${TABLES.join(", ")} EXTENDED`);
        return Object.fromEntries(rows.map((r) => [r.Table, r.Checksum]));
    }

    it("migrates a fresh database, seeds it, and a second run of both changes nothing", async () => {
        const migrate1 = cli("migrate", "--url", db.url);
        expect(migrate1.status, migrate1.err).to.equal(0);
        // Every file in schema/migrations, whatever the latest number is (branches add their own).
        const latest = loadMigrations().length;
        expect(migrate1.out).to.match(new RegExp(`applying 0001_registry[\\s\\S]*applied ${latest} migration\\(s\\); schema at version ${latest}`));

        const seed1 = cli("seed", "--url", db.url);
        expect(seed1.status, seed1.err).to.equal(0);
        for (const { table, rows } of SEED) expect(seed1.out).to.include(`${table}: ${rows.length} inserted`);
        const after1 = await fingerprint();

        const migrate2 = cli("migrate", "--url", db.url);
        const seed2 = cli("seed", "--url", db.url);
        expect([migrate2.status, seed2.status]).to.deep.equal([0, 0]);
        expect(migrate2.out).to.include(`no pending migrations; schema at version ${latest}`);
        expect(seed2.out).to.include("seed already present; nothing changed");
        expect(await fingerprint()).to.deep.equal(after1);

        // The seeded history answers owner lookups: MD-0003 moved from the surface site to the tunnel.
        const before = await ownerAt(db.pool, { serial: "MD-0003" }, new Date("2025-03-31T23:59:59Z"));
        const afterMove = await ownerAt(db.pool, { serial: "MD-0003" }, new Date("2025-04-10T00:00:00Z"));
        expect(before?.clientId).to.equal(SEED[0].rows[0].id);
        expect(afterMove?.clientId).to.equal(SEED[0].rows[1].id);
    });

    it("migrate --create creates a missing database (then migrates it); without --create the message says to use it", async () => {
        const name = `mdetect_test_create_${randomBytes(4).toString("hex")}`;
        const url = databaseUrl(name);
        try {
            const without = cli("migrate", "--url", url);
            expect(without.status).to.equal(1);
            expect(without.err.trim()).to.equal(`mdetect db: database '${name}' does not exist: run \`mdetect db migrate --create\` to create it`);
            const created = cli("migrate", "--create", "--url", url);
            expect(created.status, created.err).to.equal(0);
            expect(created.out).to.include(`created database ${name}`).and.match(/applied \d+ migration\(s\)/);
            const again = cli("migrate", "--create", "--url", url);
            expect(again.status, again.err).to.equal(0);
            expect(again.out).to.include(`database ${name} already exists`).and.include("no pending migrations");
        } finally {
            const conn = await migrationConnection({ ...urlOptions(SERVER_URL), database: undefined });
            await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
            await conn.end();
        }
    });

    it("seed before migrate says to migrate first, in one line", async () => {
        const empty = await withTestDatabase({ migrated: false });
        try {
            const r = cli("seed", "--url", empty.url);
            expect(r.status).to.equal(1);
            expect(r.err).to.equal("mdetect db: the registry schema is not there yet: run `mdetect db migrate` first\n");
        } finally {
            await empty.drop();
        }
    });

    it("explains its usage and fails clearly on bad input", () => {
        const none = cli("migrate");
        expect(none.status).to.equal(1);
        expect(none.err).to.include("no database URL: pass --url");
        const help = cli("migrate", "--help");
        expect(help.status).to.equal(0);
        expect(help.out).to.include("--create").and.include("Examples:");
        expect(cli("drop", "--url", db.url).status).to.equal(2);
        const badUrl = cli("migrate", "--url", "postgres://x/y");
        expect(badUrl.status).to.equal(1);
        expect(badUrl.err).to.include("database URL must start with mysql://");
        const noDb = cli("migrate", "--url", db.url.replace(/\/[^/]+$/, ""));
        expect(noDb.status).to.equal(1);
        expect(noDb.err).to.include("the URL must name a database");
    });
});
