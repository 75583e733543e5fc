/**
 * Through the RDS front, the database user's grants are MariaDB's own: the read-only user
 * (migration 0004) reads and is refused every write by the server; the application user writes.
 */
import { expect } from "chai";
import { createClient } from "../../../functions/registry/catalog";
import { APP_USER, FrontFixture, READ_USER, signIn, startFront } from "./rds-fixtures";

describe("local RDS front: the database user's grants are enforced by MariaDB", function () {
    let f: FrontFixture;
    let clientId: string;
    before(async () => {
        f = await startFront();
        clientId = (await createClient(f.db.pool, { name: "Front grants" })).id;
    });
    after(async () => { await f?.stop(); });

    it("the reader reads rows of the registry", async () => {
        const conn = await signIn(f, f.session("api-read", [READ_USER]), READ_USER);
        try {
            const [rows] = await conn.query<any[]>("SELECT id, name FROM clients");
            expect(rows).to.deep.equal([{ id: clientId, name: "Front grants" }]);
        } finally { await conn.end(); }
    });

    it("the reader cannot INSERT, UPDATE or DELETE, and nothing changed", async () => {
        const conn = await signIn(f, f.session("api-read-2", [READ_USER]), READ_USER);
        try {
            for (const sql of [
                "INSERT INTO clients (id, name) VALUES ('00000000-0000-4000-8000-000000000002', 'x')",
                "UPDATE clients SET name = 'changed'",
                "DELETE FROM clients",
            ]) {
                const err = await conn.query(sql).then(() => undefined, (e) => e);
                expect(err?.code, sql).to.equal("ER_TABLEACCESS_DENIED_ERROR");
            }
        } finally { await conn.end(); }
        const [rows] = await f.db.pool.query<any[]>("SELECT name FROM clients");
        expect(rows).to.deep.equal([{ name: "Front grants" }]);
    });

    it("the writer inserts (same front, same token path, the other user)", async () => {
        const conn = await signIn(f, f.session("api-admin", [APP_USER]), APP_USER);
        try {
            await conn.query("INSERT INTO clients (id, name) VALUES ('00000000-0000-4000-8000-000000000003', 'Written')");
        } finally { await conn.end(); }
        const [rows] = await f.db.pool.query<any[]>("SELECT name FROM clients ORDER BY name");
        expect(rows.map((r) => r.name)).to.deep.equal(["Front grants", "Written"]);
    });
});
