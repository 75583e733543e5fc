/**
 * What staff list of the catalog: every site, detector and deployment (the client lists in
 * client-catalog.ts are scoped to one client, and a staff user is bound to none). The registry
 * holds one row per site, detector and deployment, so the lists stay small (20,000 detectors are
 * ~4 MB of JSON, under Lambda's 6 MB response).
 */
import type { Pool } from "mysql2/promise";
import { toDetector, toSite } from "./catalog";
import type { ClientDeployment } from "./client-catalog";
import { query } from "./db";
import { toDeployment } from "./deployments";
import type { Detector, Site } from "./types";

export async function listAllSites(pool: Pool): Promise<Site[]> {
    return (await query(pool, "SELECT * FROM sites ORDER BY name, id")).map(toSite);
}

export async function listAllDetectors(pool: Pool): Promise<Detector[]> {
    return (await query(pool, "SELECT * FROM detectors det ORDER BY det.serial")).map(toDetector);
}

/** Every deployment with its site's name, newest start first. */
export async function listAllDeployments(pool: Pool): Promise<ClientDeployment[]> {
    const rows = await query(pool, "SELECT d.*, s.name AS site_name FROM deployments d JOIN sites s ON s.id = d.site_id ORDER BY d.starts_at DESC, d.id");
    return rows.map((r) => ({ ...toDeployment(r), siteName: r.site_name }));
}
