import { expect } from "chai";
import * as mysql from "mysql2/promise";
import type { TestDatabase } from "../../helpers/db";
import { poolFromUrl, urlOptions } from "../../../functions/registry/connect";
import { toDomainError } from "../../../functions/registry/errors";
import * as reg from "../../../functions/registry";
import { worldPerSuite, rejection, t, World } from "./fixtures";

/** Runs raw SQL (as a careless writer would) and returns the domain error it maps to. */
async function rawError(db: TestDatabase, sql: string, params: unknown[]): Promise<reg.RegistryError> {
    const err = await db.pool.query(sql, params).then(() => undefined, (e) => e);
    expect(err, `expected the database to reject: ${sql}`).to.exist;
    return toDomainError(err);
}

describe("registry: constraints", () => {
    let db: TestDatabase;
    let w: World;

    worldPerSuite((made) => ({ db, w } = made));

    it("refuses a duplicate detector serial with DuplicateSerialError", async () => {
        const err = await rejection(reg.createDetector(db.pool, { serial: w.d1.serial, model: "X", firmware: "1" }));
        expect(err).to.be.instanceOf(reg.DuplicateSerialError);
        expect(err.message).to.equal("a detector with this serial already exists");
    });

    it("refuses references to rows that do not exist, naming what is unknown", async () => {
        const missing = "00000000-0000-4000-8000-000000000000";
        const site = await rejection(reg.createDeployment(db.pool, { detectorId: w.d1.id, siteId: missing, projectId: w.projectA.id, startsAt: t("2030-01-01T00:00:00Z") }));
        expect(site).to.be.instanceOf(reg.UnknownReferenceError);
        expect(site.message).to.equal("unknown site");
        const project = await rejection(reg.createProject(db.pool, { clientId: missing, name: "orphan" }));
        expect(project.message).to.equal("unknown client");
        const detector = await rejection(reg.recordDataFile(db.pool, {
            detector: { serial: "NO-SUCH" }, s3Key: "k", source: "batch", checksum: "c", rowsIn: 1, rowsOut: 1, rowsQuarantined: 0, status: "converted",
        }));
        expect(detector.message).to.equal("unknown detector");
    });

    it("refuses a finding whose project belongs to another client", async () => {
        const err = await rejection(reg.recordFinding(db.pool, {
            clientId: w.clientB.id, projectId: w.projectA.id, detector: { id: w.d1.id }, s3Key: "findings/x.csv",
            periodStart: t("2025-01-01T00:00:00Z"), periodEnd: t("2025-01-02T00:00:00Z"), severity: "info", summary: "s", score: 0.1,
        }));
        expect(err).to.be.instanceOf(reg.UnknownReferenceError);
        expect(err.message).to.equal("unknown project (for this client)");
    });

    it("refuses a referenced row's deletion", async () => {
        const err = await rawError(db, "DELETE FROM clients WHERE id = ?", [w.clientA.id]);
        expect(err).to.be.instanceOf(reg.InUseError);
    });

    const checks: [string, () => Promise<unknown>, string][] = [
        ["site latitude beyond 90", () => reg.createSite(db.pool, { name: "s1", kind: "mine", latitude: 91, longitude: 0 }), "ck_sites_latitude"],
        ["site longitude beyond 180", () => reg.createSite(db.pool, { name: "s2", kind: "mine", latitude: 0, longitude: -181 }), "ck_sites_longitude"],
        ["unknown site kind", () => reg.createSite(db.pool, { name: "s3", kind: "cave" as never, latitude: 0, longitude: 0 }), "ck_sites_kind"],
        ["negative depth", () => reg.createSite(db.pool, { name: "s4", kind: "mine", latitude: 0, longitude: 0, depthM: -1 }), "ck_sites_depth"],
        ["blank client name", () => reg.createClient(db.pool, { name: "   " }), "ck_clients_name"],
        ["unknown detector status", () => reg.updateDetector(db.pool, w.d2.id, { status: "lost" as never }), "ck_detectors_status"],
        ["deployment ending before it starts", () => reg.createDeployment(db.pool, {
            detectorId: w.d2.id, siteId: w.mine.id, projectId: w.projectA.id, startsAt: t("2031-02-01T00:00:00Z"), endsAt: t("2031-01-01T00:00:00Z"),
        }), "ck_deployments_period"],
        ["retrieved deployment without end", () => reg.createDeployment(db.pool, {
            detectorId: w.d2.id, siteId: w.mine.id, projectId: w.projectA.id, startsAt: t("2031-02-01T00:00:00Z"), status: "retrieved",
        }), "ck_deployments_retrieved_ended"],
        ["azimuth of 360", () => reg.createDeployment(db.pool, {
            detectorId: w.d2.id, siteId: w.mine.id, projectId: w.projectA.id, startsAt: t("2031-02-01T00:00:00Z"), azimuthDeg: 360,
        }), "ck_deployments_azimuth"],
        ["rows in != rows out + quarantined", () => reg.recordDataFile(db.pool, {
            detector: { id: w.d1.id }, s3Key: "incoming/a.json", source: "batch", checksum: "c", rowsIn: 10, rowsOut: 8, rowsQuarantined: 1, status: "partial",
        }), "ck_data_files_rows"],
        ["finding score above 1", () => reg.recordFinding(db.pool, {
            clientId: w.clientA.id, projectId: w.projectA.id, detector: { id: w.d1.id }, s3Key: "findings/y.csv",
            periodStart: t("2025-01-01T00:00:00Z"), periodEnd: t("2025-01-02T00:00:00Z"), severity: "alert", summary: "s", score: 1.5,
        }), "ck_findings_score"],
        ["unknown finding severity", () => reg.recordFinding(db.pool, {
            clientId: w.clientA.id, projectId: w.projectA.id, detector: { id: w.d1.id }, s3Key: "findings/z.csv",
            periodStart: t("2025-01-01T00:00:00Z"), periodEnd: t("2025-01-02T00:00:00Z"), severity: "panic" as never, summary: "s", score: 0.5,
        }), "ck_findings_severity"],
    ];
    for (const [what, attempt, rule] of checks) {
        it(`refuses ${what} (${rule})`, async () => {
            const err = await rejection(attempt());
            expect(err).to.be.instanceOf(reg.ConstraintViolationError);
            expect(err.message).to.equal(`value violates rule ${rule}`);
        });
    }

    it("refuses calibration coefficients that are not a JSON object", async () => {
        const insert = "INSERT INTO calibrations (id, detector_id, calibrated_at, coefficients) VALUES (UUID(), ?, UTC_TIMESTAMP(3), ?)";
        for (const bad of ["{not json", "[1, 2]", "42"]) {
            const err = await rawError(db, insert, [w.d1.id, bad]);
            expect(err, bad).to.be.instanceOf(reg.ConstraintViolationError);
            expect(err.message).to.equal("value violates rule ck_calibrations_coefficients");
        }
        const id = await reg.recordCalibration(db.pool, { detectorId: w.d1.id, calibratedAt: t("2025-01-01T00:00:00Z"), coefficients: { gain: 1.02, offset: -0.3 } });
        const [[row]] = await db.pool.query<any[]>("SELECT JSON_VALUE(coefficients, '$.gain') AS gain FROM calibrations WHERE id = ?", [id]);
        expect(Number(row.gain)).to.equal(1.02);
    });

    it("refuses NULL in required columns with a clear message", async () => {
        const err = await rawError(db, "INSERT INTO detectors (id, serial, model, firmware) VALUES (UUID(), ?, NULL, '1')", ["MD-NULL"]);
        expect(err).to.be.instanceOf(reg.InvalidArgumentError);
        expect(err.message).to.equal("model is required");
    });

    it("checks arguments before they reach the database", async () => {
        expect(await rejection(reg.createDeployment(db.pool, { detectorId: "nope", siteId: w.mine.id, projectId: w.projectA.id, startsAt: t("2031-01-01T00:00:00Z") })))
            .to.be.instanceOf(reg.InvalidArgumentError);
        expect((await rejection(reg.ownerAt(db.pool, { id: w.d1.id }, new Date("garbage")))).message).to.match(/valid date/);
        expect((await rejection(reg.updateClient(db.pool, w.clientA.id, { id: "x" } as never))).message).to.equal("cannot update id");
    });

    describe("no overlapping deployments of one detector", () => {
        let detector: reg.Detector;
        beforeEach(async () => {
            detector = await reg.createDetector(db.pool, { serial: `MD-${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`, model: "MuScope 2", firmware: "2.4.1" });
        });
        const deploy = (startsAt: string, endsAt: string | null, pool = db.pool) => reg.createDeployment(pool, {
            detectorId: detector.id, siteId: w.mine.id, projectId: w.projectA.id, startsAt: t(startsAt), endsAt: endsAt ? t(endsAt) : null,
        });

        it("allows back-to-back periods (end exclusive) and refuses any overlap, open-ended included", async () => {
            await deploy("2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z");
            await deploy("2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z");
            for (const [s, e] of [["2025-01-31T23:59:59.999Z", "2025-02-10T00:00:00Z"], ["2024-12-01T00:00:00Z", null], ["2025-01-10T00:00:00Z", "2025-01-11T00:00:00Z"]] as const) {
                expect(await rejection(deploy(s, e)), `${s}..${e}`).to.be.instanceOf(reg.OverlappingDeploymentError);
            }
            await deploy("2025-03-01T00:00:00Z", null);
            expect(await rejection(deploy("2026-01-01T00:00:00Z", null))).to.be.instanceOf(reg.OverlappingDeploymentError);
        });

        it("refuses an update that would create an overlap", async () => {
            await deploy("2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z");
            const second = await deploy("2025-03-01T00:00:00Z", "2025-04-01T00:00:00Z");
            const err = await rejection(reg.updateDeployment(db.pool, second.id, { startsAt: t("2025-01-15T00:00:00Z") }));
            expect(err).to.be.instanceOf(reg.OverlappingDeploymentError);
            expect(err.message).to.match(/^detector MD-\d{6} is already deployed at site '[^']+' from 2025-01-01T00:00:00.000Z until 2025-02-01T00:00:00.000Z \(deployment ([0-9a-f-]{36})\); to end it when the new one starts: PATCH \/v1\/deployments\/\1 \{"endsAt":"2025-01-15T00:00:00.000Z","status":"retrieved"\}/);
            expect((await reg.updateDeployment(db.pool, second.id, { startsAt: t("2025-02-01T00:00:00Z") })).startsAt).to.deep.equal(t("2025-02-01T00:00:00Z"));
        });

        it("leaves exactly one of 20 concurrent overlapping inserts, each on its own connection", async () => {
            const pools = Array.from({ length: 20 }, () => poolFromUrl(db.url, 1));
            try {
                // Warm every connection first so the inserts really start together.
                await Promise.all(pools.map((p) => p.query("SELECT 1")));
                const results = await Promise.allSettled(pools.map((p, i) => deploy(`2025-05-01T00:00:0${i % 10}Z`, null, p)));
                const won = results.filter((r) => r.status === "fulfilled");
                const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
                expect(won).to.have.length(1);
                expect(lost.map((r) => r.reason.constructor.name)).to.deep.equal(Array(19).fill("OverlappingDeploymentError"));
                const [[{ n }]] = await db.pool.query<any[]>("SELECT COUNT(*) AS n FROM deployments WHERE detector_id = ?", [detector.id]);
                expect(n).to.equal(1);
            } finally {
                await Promise.all(pools.map((p) => p.end()));
            }
        });

        it("leaves exactly one of 20 concurrent writers that each keep their transaction open a moment", async () => {
            // Without the detector lock every writer would check before any other commits, and all would insert.
            const conns = await Promise.all(Array.from({ length: 20 }, () => mysql.createConnection(urlOptions(db.url))));
            try {
                const results = await Promise.allSettled(conns.map(async (c, i) => {
                    await c.query("START TRANSACTION");
                    try {
                        await c.query("INSERT INTO deployments (id, detector_id, site_id, project_id, starts_at, ends_at) VALUES (UUID(), ?, ?, ?, ?, ?)",
                            [detector.id, w.mine.id, w.projectA.id, t(`2025-08-0${1 + (i % 9)}T00:00:00Z`), t("2025-09-01T00:00:00Z")]);
                        await c.query("DO SLEEP(0.05)");
                        await c.query("COMMIT");
                    } catch (err) {
                        await c.query("ROLLBACK");
                        throw toDomainError(err);
                    }
                }));
                expect(results.filter((r) => r.status === "fulfilled")).to.have.length(1);
                expect(results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.constructor.name))
                    .to.deep.equal(Array(19).fill("OverlappingDeploymentError"));
                const [[{ n }]] = await db.pool.query<any[]>("SELECT COUNT(*) AS n FROM deployments WHERE detector_id = ?", [detector.id]);
                expect(n).to.equal(1);
            } finally {
                await Promise.all(conns.map((c) => c.end()));
            }
        });

        it("holds inside a transaction whose snapshot predates a concurrent insert", async () => {
            const older = await mysql.createConnection(urlOptions(db.url));
            try {
                await older.query("START TRANSACTION");
                await older.query("SELECT COUNT(*) FROM deployments WHERE detector_id = ?", [detector.id]); // fixes the snapshot
                await deploy("2025-06-01T00:00:00Z", null); // another writer commits meanwhile
                const err = await older.query(
                    "INSERT INTO deployments (id, detector_id, site_id, project_id, starts_at) VALUES (UUID(), ?, ?, ?, ?)",
                    [detector.id, w.tunnel.id, w.projectA.id, t("2025-07-01T00:00:00Z")],
                ).then(() => undefined, (e) => e);
                expect(toDomainError(err)).to.be.instanceOf(reg.OverlappingDeploymentError);
                await older.query("ROLLBACK");
            } finally {
                await older.end();
            }
        });
    });
});
