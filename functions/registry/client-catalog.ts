/**
 * What a client may list of the catalog, always scoped by the client id: its projects, the sites
 * its detectors are or were deployed at, and its deployments with the site's name.
 */
import type { Pool } from "mysql2/promise";
import { query, requireId } from "./db";
import type { Deployment, Project, Site } from "./types";

export interface ClientDeployment extends Deployment { siteName: string }

export async function listProjects(pool: Pool, clientId: string): Promise<Omit<Project, "clientId">[]> {
    const rows = await query(pool, "SELECT id, name, description FROM projects WHERE client_id = ? ORDER BY name, id", [requireId(clientId, "client id")]);
    return rows.map((r) => ({ id: r.id, name: r.name, description: r.description }));
}

/** Sites with at least one deployment for one of the client's projects. */
export async function listSites(pool: Pool, clientId: string): Promise<Site[]> {
    const rows = await query(pool, `
        SELECT s.* FROM sites s
         WHERE EXISTS (SELECT 1 FROM deployments d JOIN projects p ON p.id = d.project_id WHERE d.site_id = s.id AND p.client_id = ?)
         ORDER BY s.name, s.id`, [requireId(clientId, "client id")]);
    return rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind, latitude: Number(r.latitude), longitude: Number(r.longitude), depthM: Number(r.depth_m) }));
}

/** The client's deployments with their site's name, newest first. */
export async function listClientDeployments(pool: Pool, clientId: string): Promise<ClientDeployment[]> {
    const rows = await query(pool, `
        SELECT d.*, s.name AS site_name FROM deployments d JOIN projects p ON p.id = d.project_id JOIN sites s ON s.id = d.site_id
         WHERE p.client_id = ? ORDER BY d.starts_at DESC, d.id`, [requireId(clientId, "client id")]);
    return rows.map((r) => ({
        id: r.id, detectorId: r.detector_id, siteId: r.site_id, siteName: r.site_name, projectId: r.project_id, startsAt: r.starts_at, endsAt: r.ends_at,
        zenithDeg: Number(r.zenith_deg), azimuthDeg: Number(r.azimuth_deg), status: r.status,
    }));
}
