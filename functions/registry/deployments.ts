/**
 * Deployments: which detector is where, for which client's project, over [start, end).
 * The database refuses overlapping deployments of one detector (see 0001_registry.sql), so
 * at most one deployment answers "who owns detector D at time T".
 */
import type { Pool } from "mysql2/promise";
import { DeploymentClash, InvalidArgumentError, NotFoundError, OverlappingDeploymentError } from "./errors";
import { Row, detectorMatch, execute, newId, optionalDate, query, requireDate, requireDetectorRef, requireId, requireNumber, updateFields } from "./db";
import { toDetector } from "./catalog";
import type { Deployment, DeploymentStatus, Detector, DetectorRef, Owner, SilentDeployment } from "./types";

/** Pairs per ownersAt call: one query, bounded parameter list and result size. */
export const MAX_OWNER_BATCH = 1000;

export const toDeployment = (r: Row): Deployment => ({
    id: r.id, detectorId: r.detector_id, siteId: r.site_id, projectId: r.project_id, startsAt: r.starts_at, endsAt: r.ends_at,
    zenithDeg: Number(r.zenith_deg), azimuthDeg: Number(r.azimuth_deg), status: r.status,
});

export async function getDeployment(pool: Pool, id: string): Promise<Deployment> {
    const [row] = await query(pool, "SELECT * FROM deployments WHERE id = ?", [requireId(id, "deployment id")]);
    if (!row) throw new NotFoundError("deployment");
    return toDeployment(row);
}

export interface DeploymentInput {
    detectorId: string; siteId: string; projectId: string; startsAt: Date; endsAt?: Date | null;
    zenithDeg?: number; azimuthDeg?: number; status?: DeploymentStatus;
}

/**
 * The deployment of `detectorId` that overlaps [startsAt, endsAt), other than `except`. The
 * database's trigger refuses the overlap but cannot say with what, so this names it.
 */
async function clashOf(pool: Pool, detectorId: string, startsAt: Date, endsAt: Date | null | undefined, except: string): Promise<DeploymentClash | undefined> {
    const [row] = await query(pool, `
        SELECT d.id, det.serial, s.name AS site_name, d.starts_at, d.ends_at
          FROM deployments d JOIN detectors det ON det.id = d.detector_id JOIN sites s ON s.id = d.site_id
         WHERE d.detector_id = ? AND d.id <> ? AND d.starts_at < COALESCE(?, '9999-12-31 23:59:59.999')
           AND ? < COALESCE(d.ends_at, '9999-12-31 23:59:59.999')
         ORDER BY d.starts_at LIMIT 1`, [detectorId, except, endsAt ?? null, startsAt]);
    return row && { deploymentId: row.id, serial: row.serial, siteName: row.site_name, startsAt: row.starts_at, endsAt: row.ends_at };
}

/** Re-throws the database's bare overlap refusal with the clashing deployment and the call that would end it. */
async function explainOverlap(err: unknown, pool: Pool, d: { id: string; detectorId: string; startsAt: Date; endsAt?: Date | null }): Promise<never> {
    if ((err as { code?: string }).code !== "overlapping_deployment") throw err;
    const clash = await clashOf(pool, d.detectorId, d.startsAt, d.endsAt, d.id);
    // Ending the clash helps only if it started before the new period: then it can end where the new one starts.
    throw new OverlappingDeploymentError(clash, clash && clash.startsAt < d.startsAt ? d.startsAt : undefined);
}

export async function createDeployment(pool: Pool, input: DeploymentInput): Promise<Deployment> {
    const id = newId();
    try {
        await insertDeployment(pool, id, input);
    } catch (err) {
        await explainOverlap(err, pool, { id, detectorId: input.detectorId, startsAt: input.startsAt, endsAt: input.endsAt });
    }
    return getDeployment(pool, id);
}

async function insertDeployment(pool: Pool, id: string, input: DeploymentInput): Promise<void> {
    await execute(pool, `INSERT INTO deployments (id, detector_id, site_id, project_id, starts_at, ends_at, zenith_deg, azimuth_deg, status)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
        id, requireId(input.detectorId, "detector id"), requireId(input.siteId, "site id"), requireId(input.projectId, "project id"),
        requireDate(input.startsAt, "startsAt"), optionalDate(input.endsAt, "endsAt"),
        requireNumber(input.zenithDeg ?? 0, "zenithDeg"), requireNumber(input.azimuthDeg ?? 0, "azimuthDeg"), input.status ?? "planned",
    ]);
}

const DEPLOYMENT_COLUMNS = { siteId: "site_id", projectId: "project_id", startsAt: "starts_at", endsAt: "ends_at", zenithDeg: "zenith_deg", azimuthDeg: "azimuth_deg", status: "status" };

export async function updateDeployment(pool: Pool, id: string, patch: Partial<Omit<DeploymentInput, "detectorId">>): Promise<Deployment> {
    requireId(id, "deployment id");
    let updated: boolean;
    try {
        updated = await updateFields(pool, "deployments", id, patch, DEPLOYMENT_COLUMNS);
    } catch (err) {
        const current = await getDeployment(pool, id);
        return explainOverlap(err, pool, { ...current, ...patch, id, detectorId: current.detectorId });
    }
    if (!updated) throw new NotFoundError("deployment");
    return getDeployment(pool, id);
}

/** Retrieval: the deployment ends at `at` (exclusive) and is marked retrieved. */
export async function endDeployment(pool: Pool, id: string, at: Date): Promise<Deployment> {
    const current = await getDeployment(pool, id);
    requireDate(at, "end time");
    if (at <= current.startsAt) throw new InvalidArgumentError("a deployment must end after it starts");
    if (current.endsAt && current.endsAt < at) throw new InvalidArgumentError("the deployment already ended earlier");
    return updateDeployment(pool, id, { endsAt: at, status: "retrieved" });
}

export interface OwnerQuery { detector: DetectorRef; at: Date }

/** Owners of many (detector, time) pairs in one query; the result is aligned with the input. */
export async function ownersAt(pool: Pool, pairs: readonly OwnerQuery[]): Promise<(Owner | undefined)[]> {
    if (!Array.isArray(pairs)) throw new InvalidArgumentError("pairs must be an array");
    if (pairs.length > MAX_OWNER_BATCH) throw new InvalidArgumentError(`at most ${MAX_OWNER_BATCH} pairs per call`);
    if (pairs.length === 0) return [];
    const checked = pairs.map((p, i) => ({ ref: requireDetectorRef(p?.detector), at: requireDate(p?.at, `pairs[${i}].at`) }));
    const ids = [...new Set(checked.flatMap((p) => ("id" in p.ref ? [p.ref.id] : [])))];
    const serials = [...new Set(checked.flatMap((p) => ("serial" in p.ref ? [p.ref.serial] : [])))];
    const times = checked.map((p) => p.at.getTime());
    const rows = await query(pool, `
        SELECT d.id, d.detector_id, det.serial, d.site_id, d.project_id, p.client_id, d.starts_at, d.ends_at
          FROM detectors det
          JOIN deployments d ON d.detector_id = det.id
          JOIN projects p ON p.id = d.project_id
         WHERE (det.id IN (?) OR det.serial IN (?))
           AND d.starts_at <= ? AND (d.ends_at IS NULL OR d.ends_at > ?)`,
    // `IN (?)` with an empty list is invalid SQL; a value no id or serial can equal stands in.
    [ids.length ? ids : [""], serials.length ? serials : [""], new Date(Math.max(...times)), new Date(Math.min(...times))]);
    return checked.map(({ ref, at }) => {
        const row = rows.find((r) => ("id" in ref ? r.detector_id === ref.id : r.serial === ref.serial)
            && r.starts_at <= at && (r.ends_at === null || r.ends_at > at));
        return row && { clientId: row.client_id, projectId: row.project_id, siteId: row.site_id, deploymentId: row.id, detectorId: row.detector_id };
    });
}

/** Who owns the detector at `at` (start inclusive, end exclusive); undefined when nobody does. */
export async function ownerAt(pool: Pool, detector: DetectorRef, at: Date): Promise<Owner | undefined> {
    return (await ownersAt(pool, [{ detector, at }]))[0];
}

/** The detector named by id or serial, undefined when the registry has none. */
export async function findDetector(pool: Pool, ref: DetectorRef): Promise<Detector | undefined> {
    const [where, param] = detectorMatch(requireDetectorRef(ref));
    const [row] = await query(pool, `SELECT * FROM detectors det WHERE ${where}`, [param]);
    return row && toDetector(row);
}

/** Detectors ever deployed for the client's projects. */
export async function listDetectors(pool: Pool, clientId: string): Promise<Detector[]> {
    const rows = await query(pool, `
        SELECT det.* FROM detectors det
         WHERE EXISTS (SELECT 1 FROM deployments d JOIN projects p ON p.id = d.project_id
                        WHERE d.detector_id = det.id AND p.client_id = ?)
         ORDER BY det.serial`, [requireId(clientId, "client id")]);
    return rows.map(toDetector);
}

/** The client's deployments, newest first. */
export async function listDeployments(pool: Pool, clientId: string): Promise<Deployment[]> {
    const rows = await query(pool, `
        SELECT d.* FROM deployments d JOIN projects p ON p.id = d.project_id
         WHERE p.client_id = ? ORDER BY d.starts_at DESC, d.id`, [requireId(clientId, "client id")]);
    return rows.map(toDeployment);
}

/**
 * Active deployments, started before `cutoff`, whose detector has no reading at or after
 * `cutoff`: the silence check's input.
 */
export async function activeDeploymentsWithoutDataSince(pool: Pool, cutoff: Date): Promise<SilentDeployment[]> {
    const rows = await query(pool, `
        SELECT d.id, d.detector_id, det.serial, p.client_id, d.project_id, d.site_id,
               -- Batch files in data_files, stream readings per day in detector_days (migration 0003):
               -- GREATEST(COALESCE(a, b), COALESCE(b, a)) is the later of the two, NULL only when both are.
               GREATEST(COALESCE(lf.t, ld.t), COALESCE(ld.t, lf.t)) AS last_reading_at
          FROM deployments d
          JOIN detectors det ON det.id = d.detector_id
          JOIN projects p ON p.id = d.project_id
          LEFT JOIN (SELECT detector_id, MAX(last_reading_at) AS t FROM data_files GROUP BY detector_id) lf ON lf.detector_id = d.detector_id
          LEFT JOIN (SELECT detector_id, MAX(last_reading_at) AS t FROM detector_days GROUP BY detector_id) ld ON ld.detector_id = d.detector_id
         WHERE d.status = 'active' AND d.starts_at <= ? AND (d.ends_at IS NULL OR d.ends_at > ?)
        HAVING last_reading_at IS NULL OR last_reading_at < ?
         ORDER BY det.serial`, [requireDate(cutoff, "cutoff"), cutoff, cutoff]);
    return rows.map((r) => ({
        deploymentId: r.id, detectorId: r.detector_id, serial: r.serial, clientId: r.client_id, projectId: r.project_id, siteId: r.site_id,
        lastReadingAt: r.last_reading_at ?? undefined,
    }));
}
