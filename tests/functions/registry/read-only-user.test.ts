/**
 * Migration 0004 on the real MariaDB: the read-only account exists after migrating any database,
 * holds SELECT on exactly that database, and the server itself refuses it every write. The local
 * server has no AWSAuthenticationPlugin, so the account is created locked; the test signs it in
 * the way the local cloud does (db-users.ts) to let MariaDB enforce the grant.
 */
import { expect } from "chai";
import { withTestDatabase, TestDatabase } from "../../helpers/db";
import { migrationConnection, poolFromUrl, urlOptions, Pool } from "../../../functions/registry/connect";
import { createClient } from "../../../functions/registry/catalog";
import { enableLocalLogins, LOCAL_DB_PASSWORD } from "../../../scripts/lib/local/db-users";
import { READ_USER } from "../../../infra/registry";

describe("registry: the read-only database user (migration 0004)", () => {
    /** A pool signing in as the reader the way the local cloud does (each new connection signs in afresh). */
    const readerPool = (): Pool => {
        const url = new URL(db.url);
        url.username = readerAccount;
        url.password = LOCAL_DB_PASSWORD;
        return poolFromUrl(url.toString(), 2);
    };
    let db: TestDatabase;
    let other: TestDatabase;
    let reader: Pool;
    let clientId: string;
    /** The reader's local twin for this database (db-users.ts): it holds the reader's grants here. */
    let readerAccount: string;

    before(async () => {
        [db, other] = await Promise.all([withTestDatabase(), withTestDatabase({ migrated: false })]);
        await other.pool.query("CREATE TABLE notes (id INT PRIMARY KEY)");
        clientId = (await createClient(db.pool, { name: "Read-only check" })).id;
        const admin = await migrationConnection({ ...urlOptions(db.url) });
        try { readerAccount = (await enableLocalLogins(admin, db.name, [READ_USER])).get(READ_USER)!; } finally { await admin.end(); }
        reader = readerPool();
    });
    after(async () => { await reader?.end(); await db?.drop(); await other?.drop(); });

    it("is the user the infrastructure hands the read functions, and holds SELECT on the migrated database only", async () => {
        const [grants] = await db.pool.query<any[]>(`SHOW GRANTS FOR '${READ_USER}'@'%'`);
        const mine = grants.map((g) => String(Object.values(g)[0])).filter((g) => g.includes(`\`${db.name}\``));
        expect(mine).to.deep.equal([`GRANT SELECT ON \`${db.name}\`.* TO \`${READ_USER}\`@\`%\``]);
    });

    it("reads the registry", async () => {
        const [rows] = await reader.query<any[]>("SELECT name FROM clients WHERE id = ?", [clientId]);
        expect(rows).to.deep.equal([{ name: "Read-only check" }]);
    });

    for (const [what, sql] of [
        ["INSERT", "INSERT INTO clients (id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'x')"],
        ["UPDATE", "UPDATE clients SET name = 'changed'"],
        ["DELETE", "DELETE FROM clients"],
        ["DDL", "DROP TABLE findings"],
    ] as const) {
        it(`is refused ${what} by the server`, async () => {
            const err = await reader.query(sql).then(() => undefined, (e) => e);
            expect(err?.code, String(err?.message)).to.equal("ER_TABLEACCESS_DENIED_ERROR");
        });
    }

    it("changed nothing through the refused writes", async () => {
        const [rows] = await db.pool.query<any[]>("SELECT id, name FROM clients");
        expect(rows).to.deep.equal([{ id: clientId, name: "Read-only check" }]);
    });

    it("cannot read a database that was not migrated, nor the server's own tables", async () => {
        for (const sql of [`SELECT id FROM \`${other.name}\`.notes`, "SELECT user FROM mysql.user"]) {
            const err = await reader.query(sql).then(() => undefined, (e) => e);
            expect(err?.code, sql).to.equal("ER_TABLEACCESS_DENIED_ERROR");
        }
    });

    it("signs in as its own twin, holding exactly the reader's grants on this database", async () => {
        const grantsOf = async (user: string) => {
            const [rows] = await db.pool.query<any[]>(`SHOW GRANTS FOR '${user}'@'%'`);
            return rows.map((g) => String(Object.values(g)[0])).filter((g) => g.includes(`\`${db.name}\``)).map((g) => g.replace(`\`${user}\``, "<grantee>"));
        };
        expect(readerAccount).to.not.equal(READ_USER);
        expect(await grantsOf(readerAccount)).to.deep.equal(await grantsOf(READ_USER)).and.to.have.length(1);
    });

    it("keeps signing in while another database is migrated (0004 re-asserts the server-wide account each time)", async () => {
        const later = await withTestDatabase();
        const fresh = readerPool();
        try {
            const [rows] = await fresh.query<any[]>("SELECT name FROM clients WHERE id = ?", [clientId]);
            expect(rows).to.deep.equal([{ name: "Read-only check" }]);
            const [[account]] = await db.pool.query<any[]>("SELECT ssl_type FROM mysql.user WHERE user = ? AND host = '%'", [READ_USER]);
            expect(account.ssl_type, "the real account stays as the migrations made it").to.equal("ANY");
        } finally {
            await fresh.end();
            await later.drop();
        }
    });

    it("loses its twin with its database: nothing of a dropped database stays on the server", async () => {
        const scratch = await withTestDatabase();
        const admin = await migrationConnection({ ...urlOptions(scratch.url) });
        let twin: string;
        try { twin = (await enableLocalLogins(admin, scratch.name, [READ_USER])).get(READ_USER)!; } finally { await admin.end(); }
        const accounts = async () => (await db.pool.query<any[]>("SELECT user FROM mysql.user WHERE user = ?", [twin]))[0].length;
        expect(await accounts()).to.equal(1);
        await scratch.drop();
        expect(await accounts()).to.equal(0);
    });

    it("the migration's grant cannot become global: without a default database MariaDB refuses `ON *`", async () => {
        const admin = await migrationConnection({ ...urlOptions(db.url), database: undefined });
        try {
            const err = await admin.query(`GRANT SELECT ON * TO '${READ_USER}'@'%'`).then(() => undefined, (e) => e);
            expect(err?.code).to.equal("ER_NO_DB_ERROR");
        } finally {
            await admin.end();
        }
    });
});
