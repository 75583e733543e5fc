/**
 * Device identity in the registry (schema/migrations/0002_device_identity.sql): which AWS IoT
 * thing and certificate each detector authenticates with, the active certificates the
 * real-time transform verifies signatures against, and which detectors were deployed at a site
 * (what a batch file uploaded for that site may contain). docs/device-identity.md.
 */
import type { Pool, PoolConnection } from "mysql2/promise";
import { InvalidArgumentError, NotFoundError, toDomainError } from "./errors";
import { newId, query, requireId, requireText } from "./db";

/** Things per deviceKeys call: one query with a bounded parameter list. */
export const MAX_THING_BATCH = 1000;
const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;
const CERTIFICATE_ID = /^[0-9a-f]{64}$/;
const REVOKE = "UPDATE device_certificates SET status = 'revoked', revoked_at = UTC_TIMESTAMP(3), active_detector = NULL WHERE detector_id = ? AND status = 'active'";

export interface DeviceCertificateInput {
    readonly detectorId: string;
    readonly thingName: string;
    readonly certificateId: string;
    readonly certificatePem: string;
}

export interface DeviceKeyRow {
    readonly thingName: string;
    readonly serial: string;
    readonly certificatePem: string;
}

export interface SiteDeployment {
    readonly serial: string;
    readonly startsAt: Date;
    /** null: still deployed. */
    readonly endsAt: Date | null;
}

function requireThingName(value: unknown): string {
    if (typeof value !== "string" || !THING_NAME.test(value)) throw new InvalidArgumentError("thing name must be 1-128 characters of [a-zA-Z0-9:_-]");
    return value;
}

async function inTransaction<T>(pool: Pool, work: (conn: PoolConnection) => Promise<T>): Promise<T> {
    const conn = await pool.getConnection();
    try {
        await conn.beginTransaction();
        const result = await work(conn);
        await conn.commit();
        return result;
    } catch (err) {
        await conn.rollback().catch(() => undefined);
        throw toDomainError(err);
    } finally {
        conn.release();
    }
}

/**
 * Binds the detector to its thing (once: a detector keeps its thing) and makes this the
 * detector's only active certificate, revoking any earlier one in the same transaction.
 */
export async function registerDeviceCertificate(pool: Pool, input: DeviceCertificateInput): Promise<{ id: string }> {
    const detectorId = requireId(input.detectorId, "detector id");
    const thingName = requireThingName(input.thingName);
    if (typeof input.certificateId !== "string" || !CERTIFICATE_ID.test(input.certificateId)) throw new InvalidArgumentError("certificate id must be 64 lowercase hex digits");
    const pem = requireText(input.certificatePem, "certificate PEM");
    if (!pem.startsWith("-----BEGIN ")) throw new InvalidArgumentError("certificate must be PEM");
    return inTransaction(pool, async (conn) => {
        const [rows] = await conn.query("SELECT iot_thing_name FROM detectors WHERE id = ? FOR UPDATE", [detectorId]);
        const detector = (rows as { iot_thing_name: string | null }[])[0];
        if (!detector) throw new NotFoundError("detector");
        if (detector.iot_thing_name !== null && detector.iot_thing_name !== thingName) {
            throw new InvalidArgumentError(`detector is already thing ${detector.iot_thing_name}`);
        }
        await conn.query("UPDATE detectors SET iot_thing_name = ?, updated_at = UTC_TIMESTAMP(3) WHERE id = ?", [thingName, detectorId]);
        await conn.query(REVOKE, [detectorId]);
        const id = newId();
        await conn.query("INSERT INTO device_certificates (id, detector_id, active_detector, certificate_id, certificate_pem) VALUES (?, ?, ?, ?, ?)",
            [id, detectorId, detectorId, input.certificateId, pem]);
        return { id };
    });
}

/** Decommissioning or a lost device: no certificate of the detector verifies any more. Returns how many were revoked. */
export async function revokeDeviceCertificates(pool: Pool, detectorId: string): Promise<number> {
    const result = await query(pool, REVOKE,
        [requireId(detectorId, "detector id")]) as unknown as { affectedRows: number };
    return result.affectedRows;
}

/** Active certificates of the named things, for detectors not retired. Unknown things are simply absent. */
export async function deviceKeys(pool: Pool, thingNames: readonly string[]): Promise<DeviceKeyRow[]> {
    if (!Array.isArray(thingNames)) throw new InvalidArgumentError("thingNames must be an array");
    if (thingNames.length > MAX_THING_BATCH) throw new InvalidArgumentError(`at most ${MAX_THING_BATCH} thing names per call`);
    const names = [...new Set(thingNames.map(requireThingName))];
    if (names.length === 0) return [];
    const rows = await query(pool, `
        SELECT det.iot_thing_name, det.serial, c.certificate_pem
          FROM detectors det
          JOIN device_certificates c ON c.detector_id = det.id AND c.status = 'active'
         WHERE det.iot_thing_name IN (?) AND det.status <> 'retired'`, [names]);
    return rows.map((r) => ({ thingName: r.iot_thing_name, serial: r.serial, certificatePem: r.certificate_pem }));
}

/** Every deployment ever made at the site, with its detector's serial: [startsAt, endsAt). */
export async function siteDeployments(pool: Pool, siteId: string): Promise<SiteDeployment[]> {
    const rows = await query(pool, `
        SELECT det.serial, d.starts_at, d.ends_at
          FROM deployments d JOIN detectors det ON det.id = d.detector_id
         WHERE d.site_id = ? ORDER BY det.serial, d.starts_at`, [requireId(siteId, "site id")]);
    return rows.map((r) => ({ serial: r.serial, startsAt: r.starts_at, endsAt: r.ends_at }));
}
