/**
 * Registry growth benchmark (issue 17): a simulated day at 1,000 detectors written through the
 * real data-access layer into a fresh, migrated MariaDB database, measured as
 * information_schema data_length + index_length (after ANALYZE TABLE), scaled to a month.
 * Baseline in the same run: the 0001 layout's two rows per detector per object (a data_files and
 * a findings row), written for a sample of the day's objects and scaled the same way.
 * Target: < 0.5 GB a month.
 */
import { randomUUID } from "crypto";
import * as reg from "../../functions/registry";
import { recordInference } from "../../functions/registry/records";
import { withTestDatabase, TestDatabase } from "../../tests/helpers/db";
import { BenchResult } from "../lib/bench";

export const name = "registry: growth a month at 1,000 detectors (MariaDB information_schema, simulated day)";

const DETECTORS = Number(process.env.MDETECT_BENCH_REGISTRY_DETECTORS ?? 1000);
const CLIENTS = 10;
const PROJECTS_PER_CLIENT = 2;
/** Curated objects a day at 1,000 detectors: a 64 MiB buffer of 110-byte CSV rows fills in ~610 s. */
const OBJECTS_PER_DAY = Math.ceil(86_400 / Math.min(900, (64 * 1024 * 1024) / (DETECTORS * 110)));
/** Objects of the old layout written for the baseline (scaled to the day). */
const BASELINE_OBJECTS = 5;
const TARGET_GB_PER_MONTH = 0.5;
const DAYS_PER_MONTH = 365 / 12;
const GB = 1024 ** 3;
const DAY0 = Date.UTC(2026, 0, 1);

async function tableBytes(db: TestDatabase, tables: string[]): Promise<number> {
    for (const t of tables) await db.pool.query(`ANALYZE TABLE \`${t}\``);
    const [rows] = await db.pool.query<any[]>(
        "SELECT COALESCE(SUM(data_length + index_length), 0) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN (?)", [tables]);
    return Number(rows[0].n);
}

async function seed(db: TestDatabase) {
    const site = await reg.createSite(db.pool, { name: "Bench site", kind: "mine", latitude: -30, longitude: 120 });
    const projects: reg.Project[] = [];
    for (let c = 0; c < CLIENTS; c++) {
        const client = await reg.createClient(db.pool, { name: `Bench client ${c}` });
        for (let p = 0; p < PROJECTS_PER_CLIENT; p++) projects.push(await reg.createProject(db.pool, { clientId: client.id, name: `Project ${p}` }));
    }
    const detectors: { serial: string; id: string; project: reg.Project }[] = [];
    for (let i = 0; i < DETECTORS; i++) {
        const d = await reg.createDetector(db.pool, { serial: `MD-B${String(i).padStart(5, "0")}`, model: "mD1", firmware: "1.0" });
        const project = projects[i % projects.length];
        await reg.createDeployment(db.pool, { detectorId: d.id, siteId: site.id, projectId: project.id, startsAt: new Date(DAY0 - 86_400_000), status: "active" });
        detectors.push({ serial: d.serial, id: d.id, project });
    }
    return { projects, detectors };
}

export async function run(): Promise<BenchResult> {
    const db = await withTestDatabase();
    try {
        const { projects, detectors } = await seed(db);
        const tables = ["findings", "stream_objects", "detector_days", "data_files"];
        const before = await tableBytes(db, tables);
        const objectSeconds = 86_400 / OBJECTS_PER_DAY;
        const started = process.hrtime.bigint();
        for (let o = 0; o < OBJECTS_PER_DAY; o++) {
            const from = DAY0 + o * objectSeconds * 1000;
            const to = from + objectSeconds * 1000 - 1;
            const hours = [...new Set([from, to].map((t) => t - (t % 3_600_000)))];
            const key = `curated/realtime/2026/01/01/mdetect-curated-${o}-2026-01-01-00-00-00-0f9a1c2e-7d3b-4c55-9a0e-${String(o).padStart(12, "0")}.gz`;
            await recordInference(db.pool, {
                stream: { s3Key: key, checksum: `etag:${o.toString(16).padStart(32, "0")}`, rowCount: Math.round(DETECTORS * objectSeconds), detectorCount: DETECTORS, unassignedRows: 0, firstReadingAt: new Date(from), lastReadingAt: new Date(to) },
                findings: projects.flatMap((p) => hours.map((h) => ({
                    clientId: p.clientId, projectId: p.id, detectorCount: DETECTORS / projects.length, rowCount: 3600 * DETECTORS / projects.length, alertCount: 3,
                    s3Key: `findings/${p.clientId}/${p.id}/2026-01-01/${new Date(h).toISOString().slice(11, 13)}/mdetect-curated-${o}-2026-01-01-00-00-00-0f9a1c2e-7d3b-4c55-9a0e-${String(o).padStart(12, "0")}-1a2b3c4d5e6f.csv.gz`,
                    periodStart: new Date(Math.max(h, from)), periodEnd: new Date(Math.min(h + 3_600_000, to + 1)), severity: "alert" as const,
                    summary: `${3600 * DETECTORS / projects.length} readings from ${DETECTORS / projects.length} detectors scored, 3 at or above the alert threshold, highest score 0.9312`, score: 0.9312,
                }))),
                detectorDays: detectors.map((d) => ({ serial: d.serial, firstReadingAt: new Date(from), lastReadingAt: new Date(to) })),
            });
        }
        const writeSeconds = Number(process.hrtime.bigint() - started) / 1e9;
        const afterDay = await tableBytes(db, tables);
        const [[counts]] = await db.pool.query<any[]>("SELECT (SELECT COUNT(*) FROM findings) f, (SELECT COUNT(*) FROM stream_objects) s, (SELECT COUNT(*) FROM detector_days) d");
        const perMonthGb = (afterDay - before) * DAYS_PER_MONTH / GB;

        // Baseline: the 0001 layout, a data_files and a findings row per detector per object.
        const oldBefore = afterDay;
        for (let o = 0; o < BASELINE_OBJECTS; o++) {
            const key = `curated/realtime/2026/01/01/mdetect-curated-${o}-2026-01-01-00-00-00-0f9a1c2e-7d3b-4c55-9a0e-${String(o).padStart(12, "0")}.gz`;
            const files = detectors.map((d) => [randomUUID(), d.id, `${key}#old`, "stream", "etag:x", 600, 600, 0, "converted", new Date(DAY0), new Date(DAY0 + 600_000)]);
            await db.pool.query("INSERT INTO data_files (id, detector_id, s3_key, source, checksum, rows_in, rows_out, rows_quarantined, status, first_reading_at, last_reading_at) VALUES ?", [files]);
            const findings = detectors.map((d) => [randomUUID(), d.project.clientId, d.project.id, d.id, 1, 600, 0,
                `findings/${d.project.clientId}/${d.project.id}/${d.serial}/2026-01-01/mdetect-curated-${o}-old-1a2b3c4d5e6f.csv`, new Date(DAY0 + o), new Date(DAY0 + 600_000),
                "info", "600 readings scored, 0 at or above the alert threshold, highest score 0.2113", 0.2113]);
            await db.pool.query("INSERT INTO findings (id, client_id, project_id, detector_id, detector_count, row_count, alert_count, s3_key, period_start, period_end, severity, summary, score) VALUES ?", [findings]);
        }
        const oldPerMonthGb = (await tableBytes(db, tables) - oldBefore) * (OBJECTS_PER_DAY / BASELINE_OBJECTS) * DAYS_PER_MONTH / GB;
        const met = perMonthGb < TARGET_GB_PER_MONTH;
        return {
            targetsMet: met,
            lines: [
                `simulated day: ${DETECTORS} detectors, ${CLIENTS} clients x ${PROJECTS_PER_CLIENT} projects, ${OBJECTS_PER_DAY} curated objects, one recordInference call each (${writeSeconds.toFixed(1)} s)`,
                `rows after the day: findings ${counts.f}, stream_objects ${counts.s}, detector_days ${counts.d}`,
                `growth: ${((afterDay - before) / 1024 ** 2).toFixed(2)} MiB a day = ${perMonthGb.toFixed(3)} GB a month (target < ${TARGET_GB_PER_MONTH} GB) ${met ? "MET" : "MISSED"}`,
                `baseline, 0001 layout (data_files + findings per detector per object, ${BASELINE_OBJECTS} objects scaled to ${OBJECTS_PER_DAY}): ${oldPerMonthGb.toFixed(2)} GB a month, ${(oldPerMonthGb / perMonthGb).toFixed(0)}x the new layout`,
            ],
        };
    } finally {
        await db.drop();
    }
}
