/** Clients, projects, sites and detectors: create, update, read. */
import type { Pool } from "mysql2/promise";
import { NotFoundError } from "./errors";
import { Row, execute, newId, optionalDate, query, requireId, requireNumber, requireText, updateFields } from "./db";
import { requireSerial } from "./serial";
import type { Client, Detector, DetectorStatus, Project, Site, SiteKind } from "./types";

const toClient = (r: Row): Client => ({ id: r.id, name: r.name, contactEmail: r.contact_email });
const toProject = (r: Row): Project => ({ id: r.id, clientId: r.client_id, name: r.name, description: r.description });
export const toSite = (r: Row): Site => ({ id: r.id, name: r.name, kind: r.kind, latitude: Number(r.latitude), longitude: Number(r.longitude), depthM: Number(r.depth_m) });
export const toDetector = (r: Row): Detector => ({
    id: r.id, serial: r.serial, model: r.model, firmware: r.firmware, status: r.status, commissionedAt: r.commissioned_at,
});

async function one<T>(pool: Pool, table: string, id: string, map: (r: Row) => T, what: string): Promise<T> {
    const [row] = await query(pool, `SELECT * FROM ${table} WHERE id = ?`, [id]);
    if (!row) throw new NotFoundError(what);
    return map(row);
}

async function update<T>(pool: Pool, table: string, id: string, patch: object, columns: Record<string, string>, map: (r: Row) => T, what: string): Promise<T> {
    requireId(id, `${what} id`);
    if (!await updateFields(pool, table, id, patch as Record<string, unknown>, columns)) throw new NotFoundError(what);
    return one(pool, table, id, map, what);
}

export interface ClientInput { name: string; contactEmail?: string | null }
const CLIENT_COLUMNS = { name: "name", contactEmail: "contact_email" };

export async function createClient(pool: Pool, input: ClientInput): Promise<Client> {
    const id = newId();
    await execute(pool, "INSERT INTO clients (id, name, contact_email) VALUES (?, ?, ?)",
        [id, requireText(input.name, "name"), input.contactEmail ?? null]);
    return one(pool, "clients", id, toClient, "client");
}

export function updateClient(pool: Pool, id: string, patch: Partial<ClientInput>): Promise<Client> {
    return update(pool, "clients", id, patch, CLIENT_COLUMNS, toClient, "client");
}

export interface ProjectInput { clientId: string; name: string; description?: string | null }

export async function createProject(pool: Pool, input: ProjectInput): Promise<Project> {
    const id = newId();
    await execute(pool, "INSERT INTO projects (id, client_id, name, description) VALUES (?, ?, ?, ?)",
        [id, requireId(input.clientId, "client id"), requireText(input.name, "name"), input.description ?? null]);
    return one(pool, "projects", id, toProject, "project");
}

export function updateProject(pool: Pool, id: string, patch: Partial<Omit<ProjectInput, "clientId">>): Promise<Project> {
    return update(pool, "projects", id, patch, { name: "name", description: "description" }, toProject, "project");
}

export interface SiteInput { name: string; kind: SiteKind; latitude: number; longitude: number; depthM?: number }
const SITE_COLUMNS = { name: "name", kind: "kind", latitude: "latitude", longitude: "longitude", depthM: "depth_m" };

export async function createSite(pool: Pool, input: SiteInput): Promise<Site> {
    const id = newId();
    await execute(pool, "INSERT INTO sites (id, name, kind, latitude, longitude, depth_m) VALUES (?, ?, ?, ?, ?, ?)", [
        id, requireText(input.name, "name"), requireText(input.kind, "kind"),
        requireNumber(input.latitude, "latitude"), requireNumber(input.longitude, "longitude"), requireNumber(input.depthM ?? 0, "depthM"),
    ]);
    return one(pool, "sites", id, toSite, "site");
}

export function updateSite(pool: Pool, id: string, patch: Partial<SiteInput>): Promise<Site> {
    return update(pool, "sites", id, patch, SITE_COLUMNS, toSite, "site");
}

export interface DetectorInput { serial: string; model: string; firmware: string; status?: DetectorStatus; commissionedAt?: Date | null }
const DETECTOR_COLUMNS = { model: "model", firmware: "firmware", status: "status", commissionedAt: "commissioned_at" };

export async function createDetector(pool: Pool, input: DetectorInput): Promise<Detector> {
    const id = newId();
    await execute(pool, "INSERT INTO detectors (id, serial, model, firmware, status, commissioned_at) VALUES (?, ?, ?, ?, ?, ?)", [
        id, requireSerial(input.serial), requireText(input.model, "model"), requireText(input.firmware, "firmware"),
        input.status ?? "in_stock", optionalDate(input.commissionedAt, "commissionedAt"),
    ]);
    return one(pool, "detectors", id, toDetector, "detector");
}

/** The serial is the detector's identity (printed on it, carried by its telemetry): not updatable. */
export function updateDetector(pool: Pool, id: string, patch: Partial<Omit<DetectorInput, "serial">>): Promise<Detector> {
    return update(pool, "detectors", id, patch, DETECTOR_COLUMNS, toDetector, "detector");
}

// async: a malformed id then rejects the promise, as every other call here does, instead of throwing before it.
export async function getDetector(pool: Pool, id: string): Promise<Detector> {
    return one(pool, "detectors", requireId(id, "detector id"), toDetector, "detector");
}
