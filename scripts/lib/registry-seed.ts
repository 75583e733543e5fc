/**
 * A small, realistic registry for local runs: three clients, their surveys, four sites, six
 * detectors and their deployments (one retrieved, then redeployed elsewhere). Fixed ids make
 * it idempotent: a second run inserts nothing and changes nothing.
 */
import type { Pool } from "mysql2/promise";

type Rows = Record<string, unknown>[];

const CLIENTS: Rows = [
    { id: "5e6d0c1a-4b0e-4c55-9a51-0c9f7f5a1001", name: "Barrier Ridge Minerals", contact_email: "survey@barrierridge.example" },
    { id: "5e6d0c1a-4b0e-4c55-9a51-0c9f7f5a1002", name: "Harbourline Tunnelling JV", contact_email: "geotech@harbourline.example" },
    { id: "5e6d0c1a-4b0e-4c55-9a51-0c9f7f5a1003", name: "Otway Geological Survey", contact_email: null },
];

const PROJECTS: Rows = [
    { id: "7a1f3c2e-0d4b-4f6a-8c21-3b5d7e9f2001", client_id: CLIENTS[0].id, name: "Level 26 void mapping", description: "Density imaging above the 26 level stopes" },
    { id: "7a1f3c2e-0d4b-4f6a-8c21-3b5d7e9f2002", client_id: CLIENTS[0].id, name: "Surface reference", description: "Open-sky flux reference for calibration" },
    { id: "7a1f3c2e-0d4b-4f6a-8c21-3b5d7e9f2003", client_id: CLIENTS[1].id, name: "Chainage 3+400 settlement watch", description: null },
    { id: "7a1f3c2e-0d4b-4f6a-8c21-3b5d7e9f2004", client_id: CLIENTS[2].id, name: "OB-7 karst survey", description: "Borehole muography of a suspected cavity" },
];

const SITES: Rows = [
    { id: "9c3e5a7b-1f2d-4e6c-b8a0-4d6f8b0c3001", name: "Barrier Ridge level 26", kind: "mine", latitude: -31.953100, longitude: 141.467200, depth_m: 780 },
    { id: "9c3e5a7b-1f2d-4e6c-b8a0-4d6f8b0c3002", name: "Barrier Ridge headframe", kind: "other", latitude: -31.951900, longitude: 141.465800, depth_m: 0 },
    { id: "9c3e5a7b-1f2d-4e6c-b8a0-4d6f8b0c3003", name: "Harbourline chainage 3+400", kind: "tunnel", latitude: -33.852400, longitude: 151.192100, depth_m: 38.5 },
    { id: "9c3e5a7b-1f2d-4e6c-b8a0-4d6f8b0c3004", name: "Otway borehole OB-7", kind: "borehole", latitude: -38.521700, longitude: 143.243900, depth_m: 420 },
];

const detector = (n: number, status: string, firmware = "2.4.1") => ({
    id: `b2d4f6a8-3c5e-4a7b-9d1f-5e7a9c1b40${String(n).padStart(2, "0")}`, serial: `MD-${String(n).padStart(4, "0")}`,
    model: "MuScope 2", firmware, status, commissioned_at: new Date(Date.UTC(2024, n, 1)),
});
const DETECTORS: Rows = [
    detector(1, "deployed"), detector(2, "deployed"), detector(3, "deployed"), detector(4, "deployed", "2.3.0"),
    detector(5, "maintenance"), detector(6, "in_stock"),
];

const at = (iso: string) => new Date(iso);
const deployment = (n: number, det: number, site: number, project: number, start: string, end: string | null, status: string, zenith = 0, azimuth = 0) => ({
    id: `d4f6a8c0-5e7a-4c9d-8f1b-6a8c0e2d50${String(n).padStart(2, "0")}`, detector_id: DETECTORS[det - 1].id, site_id: SITES[site - 1].id,
    project_id: PROJECTS[project - 1].id, starts_at: at(start), ends_at: end ? at(end) : null, status, zenith_deg: zenith, azimuth_deg: azimuth,
});
const DEPLOYMENTS: Rows = [
    deployment(1, 1, 1, 1, "2025-02-01T00:00:00Z", null, "active", 30, 45),
    deployment(2, 2, 1, 1, "2025-02-01T00:00:00Z", null, "active", 30, 135),
    deployment(3, 3, 2, 2, "2025-01-15T00:00:00Z", "2025-04-01T00:00:00Z", "retrieved"),
    deployment(4, 3, 3, 3, "2025-04-10T00:00:00Z", null, "active", 60, 270),
    deployment(5, 4, 4, 4, "2025-03-01T00:00:00Z", null, "active", 0, 0),
    deployment(6, 5, 3, 3, "2025-04-10T00:00:00Z", "2025-06-01T00:00:00Z", "retrieved", 60, 90),
];

/** In dependency order (a row's references are inserted first). */
export const SEED: readonly { table: string; rows: Rows }[] = [
    { table: "clients", rows: CLIENTS },
    { table: "projects", rows: PROJECTS },
    { table: "sites", rows: SITES },
    { table: "detectors", rows: DETECTORS },
    { table: "deployments", rows: DEPLOYMENTS },
];

/** Inserts the rows that are missing (of `tables` only, default all); returns how many each table gained. */
export async function seed(pool: Pool, tables: readonly string[] = SEED.map((s) => s.table)): Promise<Record<string, number>> {
    const inserted: Record<string, number> = {};
    for (const { table, rows } of SEED.filter((s) => tables.includes(s.table))) {
        inserted[table] = 0;
        for (const row of rows) {
            const columns = Object.keys(row);
            // Table and column names are this module's constants; values are bound parameters.
            // INSERT ... SELECT WHERE NOT EXISTS inserts no row at all when present, so the
            // deployments' overlap trigger (which fires before any duplicate-key check) stays quiet.
            const [result] = await pool.query(
                `INSERT INTO ${table} (${columns.join(", ")}) SELECT ${columns.map(() => "?").join(", ")} FROM DUAL
                  WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE id = ?)`,
                [...columns.map((c) => row[c]), row.id],
            );
            inserted[table] += (result as { affectedRows: number }).affectedRows;
        }
    }
    return inserted;
}
