import { expect } from "chai";
import type { Connection } from "mysql2/promise";
import { withTestDatabase, TestDatabase } from "../../helpers/db";
import { migrationConnection, urlOptions } from "../../../functions/registry/connect";
import { checksum, migrate, Migration, MigrationError, parseMigrations, migrationsHash } from "../../../functions/registry/migrate";
import { loadMigrations } from "../../../functions/registry/load-migrations";

const EXPECTED_TABLES = ["calibrations", "clients", "data_files", "deployments", "detector_days", "detectors", "device_certificates", "findings", "maintenance_log", "projects", "schema_migrations", "sites", "stream_objects"];

describe("registry: migrations", () => {
    let db: TestDatabase;
    let conn: Connection;
    const files = loadMigrations();

    beforeEach(async () => {
        db = await withTestDatabase({ migrated: false });
        conn = await migrationConnection(urlOptions(db.url));
    });
    afterEach(async () => {
        await conn.end();
        await db.drop();
    });

    async function recorded(): Promise<{ version: number; checksum: string; applied_at: Date }[]> {
        const [rows] = await conn.query<any[]>("SELECT version, checksum, applied_at FROM schema_migrations ORDER BY version");
        return rows;
    }

    it("migrates an empty database to the latest version and records each file's checksum", async () => {
        const lines: string[] = [];
        const report = await migrate(conn, files, (l) => lines.push(l));
        expect(report.applied.map((m) => m.version)).to.deep.equal(files.map((m) => m.version));
        const [tables] = await conn.query<any[]>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1");
        expect(tables.map((r) => r.t).sort()).to.deep.equal([...EXPECTED_TABLES].sort());
        expect((await recorded()).map((r) => [r.version, r.checksum])).to.deep.equal(files.map((m) => [m.version, checksum(m.sql)]));
        expect(lines[0]).to.match(/^applying 0001_registry$/);
    });

    it("is a no-op when the schema is current", async () => {
        await migrate(conn, files);
        const before = await recorded();
        const lines: string[] = [];
        const report = await migrate(conn, files, (l) => lines.push(l));
        expect(report.applied).to.deep.equal([]);
        expect(await recorded()).to.deep.equal(before);
        expect(lines.join("\n")).to.include("nothing to apply");
    });

    it("applies only the new migrations of a later release", async () => {
        await migrate(conn, files);
        const next: Migration = { version: files.length + 1, name: "add_note", sql: "ALTER TABLE sites ADD COLUMN note VARCHAR(100) NULL" };
        const report = await migrate(conn, [...files, next]);
        expect(report.applied).to.deep.equal([{ version: next.version, name: "add_note" }]);
        const [cols] = await conn.query<any[]>("SHOW COLUMNS FROM sites LIKE 'note'");
        expect(cols).to.have.length(1);
    });

    it("refuses to run, changing nothing, when an applied migration was edited", async () => {
        await migrate(conn, files);
        const before = await recorded();
        const edited = files.map((m, i) => (i === 0 ? { ...m, sql: m.sql + "\n-- tweak" } : m));
        const extra: Migration = { version: files.length + 1, name: "later", sql: "CREATE TABLE later (id INT PRIMARY KEY)" };
        const err = await migrate(conn, [...edited, extra]).catch((e) => e);
        expect(err).to.be.instanceOf(MigrationError);
        expect(err.message).to.match(/migration 1 \(registry\) changed after it was applied/);
        expect(await recorded()).to.deep.equal(before);
        const [later] = await conn.query<any[]>("SHOW TABLES LIKE 'later'");
        expect(later).to.have.length(0);
    });

    it("refuses an older release against a newer schema", async () => {
        const next: Migration = { version: files.length + 1, name: "newer", sql: "CREATE TABLE newer (id INT PRIMARY KEY)" };
        await migrate(conn, [...files, next]);
        const err = await migrate(conn, files).catch((e) => e);
        expect(err).to.be.instanceOf(MigrationError);
        expect(err.message).to.include("not in this release");
    });

    it("reports a failing migration by name and does not record it", async () => {
        await migrate(conn, files);
        const broken: Migration = { version: files.length + 1, name: "broken", sql: "ALTER TABLE no_such_table ADD COLUMN x INT" };
        const err = await migrate(conn, [...files, broken]).catch((e) => e);
        expect(err).to.be.instanceOf(MigrationError);
        expect(err.message).to.match(new RegExp(`migration ${broken.version} \\(broken\\) failed: .*no_such_table.*roll forward`));
        expect((await recorded()).map((r) => r.version)).to.deep.equal(files.map((m) => m.version));
    });

    it("lets only one of two concurrent runners apply the migrations (named lock)", async () => {
        const other = await migrationConnection(urlOptions(db.url));
        try {
            const reports = await Promise.all([migrate(conn, files), migrate(other, files)]);
            expect(reports.map((r) => r.applied.length).sort()).to.deep.equal([0, files.length]);
            expect(await recorded()).to.have.length(files.length);
        } finally {
            await other.end();
        }
    });

    it("parses file names into ordered versions and rejects gaps, duplicates and bad names", () => {
        expect(parseMigrations({ "0002_b.sql": "B", "0001_a.sql": "A" }).map((m) => m.name)).to.deep.equal(["a", "b"]);
        expect(() => parseMigrations({ "0001_a.sql": "", "0003_c.sql": "" })).to.throw(MigrationError, /expected 2, found 3/);
        expect(() => parseMigrations({ "0001_a.sql": "", "0001_b.sql": "" })).to.throw(MigrationError, /expected 2, found 1/);
        expect(() => parseMigrations({ "1_a.sql": "" })).to.throw(MigrationError, /NNNN_name\.sql/);
    });

    it("hashes the migration set so that any edit or addition changes the deploy trigger", () => {
        const base = migrationsHash(files);
        expect(migrationsHash(files)).to.equal(base);
        expect(migrationsHash(files.map((m) => ({ ...m, sql: m.sql + " " })))).to.not.equal(base);
        expect(migrationsHash([...files, { version: files.length + 1, name: "x", sql: "" }])).to.not.equal(base);
    });
});
