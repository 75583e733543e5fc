/**
 * What the pipeline writes as it runs: ingested data files and findings (both idempotent, so
 * a retried Lambda records nothing twice), calibrations, and the client-scoped finding reads.
 */
import { createHash } from "crypto";
import type { Pool } from "mysql2/promise";
import { InvalidArgumentError, UnknownReferenceError } from "./errors";
import { Row, execute, newId, optionalDate, query, requireCount, requireDate, requireDetectorRef, requireId, requireNumber, requireText } from "./db";
import { findDetector } from "./deployments";
import type { DataFileInput, DetectorRef, Finding, FindingFilter, FindingInput, InferenceRecordInput, Page, ProjectFindingInput } from "./types";

/** Findings per page when the caller does not say, and the most we return at once. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

async function detectorId(pool: Pool, ref: DetectorRef): Promise<string> {
    const detector = await findDetector(pool, ref);
    if (!detector) throw new UnknownReferenceError("detector");
    return detector.id;
}

/** Records (or, for the same S3 key and detector, updates) an ingested file; returns its id. */
export async function recordDataFile(pool: Pool, input: DataFileInput): Promise<string> {
    const detector = await detectorId(pool, requireDetectorRef(input.detector));
    const s3Key = requireText(input.s3Key, "s3Key");
    await execute(pool, `
        INSERT INTO data_files (id, detector_id, s3_key, source, checksum, rows_in, rows_out, rows_quarantined, status, first_reading_at, last_reading_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON DUPLICATE KEY UPDATE source = VALUES(source), checksum = VALUES(checksum), rows_in = VALUES(rows_in),
            rows_out = VALUES(rows_out), rows_quarantined = VALUES(rows_quarantined), status = VALUES(status),
            first_reading_at = VALUES(first_reading_at), last_reading_at = VALUES(last_reading_at), updated_at = UTC_TIMESTAMP(3)`, [
        newId(), detector, s3Key, requireText(input.source, "source"), requireText(input.checksum, "checksum"),
        requireCount(input.rowsIn, "rowsIn"), requireCount(input.rowsOut, "rowsOut"), requireCount(input.rowsQuarantined, "rowsQuarantined"),
        requireText(input.status, "status"), optionalDate(input.firstReadingAt, "firstReadingAt"), optionalDate(input.lastReadingAt, "lastReadingAt"),
    ]);
    const [row] = await query(pool, "SELECT id FROM data_files WHERE s3_key_hash = UNHEX(SHA2(?, 256)) AND detector_id = ?", [s3Key, detector]);
    return row.id;
}

/**
 * Records a finding once: a retry with the same S3 key and period start returns the
 * first finding's id and changes nothing.
 */
export async function recordFinding(pool: Pool, input: FindingInput): Promise<{ id: string; created: boolean }> {
    const detector = await detectorId(pool, requireDetectorRef(input.detector));
    const s3Key = requireText(input.s3Key, "s3Key");
    const periodStart = requireDate(input.periodStart, "periodStart");
    const id = newId();
    await execute(pool, `
        INSERT INTO findings (id, client_id, project_id, detector_id, s3_key, period_start, period_end, severity, summary, score)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON DUPLICATE KEY UPDATE id = id`, [
        id, requireId(input.clientId, "client id"), requireId(input.projectId, "project id"), detector, s3Key, periodStart,
        requireDate(input.periodEnd, "periodEnd"), requireText(input.severity, "severity"), requireText(input.summary, "summary"),
        requireNumber(input.score, "score"),
    ]);
    const [row] = await query(pool, "SELECT id FROM findings WHERE s3_key_hash = UNHEX(SHA2(?, 256)) AND period_start = ?", [s3Key, periodStart]);
    return { id: row.id, created: row.id === id };
}

/** Rows per multi-row INSERT: bounded statement size (~1 KB a finding row). */
const ROWS_PER_STATEMENT = 500;

function chunks<T>(items: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
}

const keyHash = (key: string): Buffer => createHash("sha256").update(key, "utf8").digest();
const utcDay = (d: Date): string => d.toISOString().slice(0, 10);

/** Serial -> detector id for the serials the registry knows (one query per 500 serials). */
async function detectorIds(pool: Pool, serials: readonly string[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const batch of chunks([...new Set(serials)])) {
        for (const r of await query(pool, "SELECT id, serial FROM detectors WHERE serial IN (?)", [batch])) ids.set(r.serial, r.id);
    }
    return ids;
}

function findingValues(f: ProjectFindingInput, detectorId: string | null): unknown[] {
    const detectorCount = requireCount(f.detectorCount, "detectorCount");
    if (detectorCount < 1) throw new InvalidArgumentError("detectorCount must be at least 1");
    return [
        newId(), requireId(f.clientId, "client id"), requireId(f.projectId, "project id"), detectorId, detectorCount,
        requireCount(f.rowCount, "rowCount"), requireCount(f.alertCount, "alertCount"), requireText(f.s3Key, "s3Key"),
        requireDate(f.periodStart, "periodStart"), requireDate(f.periodEnd, "periodEnd"), requireText(f.severity, "severity"),
        requireText(f.summary, "summary"), requireNumber(f.score, "score"),
    ];
}

/**
 * Everything one inference run records, in a handful of statements whatever the fleet size:
 * the project-hour findings (idempotent on key and period start; ids returned aligned with the
 * input), one row per detector per UTC day it reported (first/last widened, so a replay changes
 * nothing) and, for stream objects, one row for the object. Detectors the registry does not
 * know are returned, not recorded: their readings are already reported as unassigned.
 */
export async function recordInference(pool: Pool, input: InferenceRecordInput): Promise<{ findingIds: string[]; unknownDetectors: string[] }> {
    if (!input || !Array.isArray(input.findings) || !Array.isArray(input.detectorDays)) {
        throw new InvalidArgumentError("findings and detectorDays must be arrays");
    }
    const refs = input.findings.map((f) => f.detector === undefined ? undefined : requireDetectorRef(f.detector));
    const serials = [
        ...input.detectorDays.map((d, i) => requireText(d?.serial, `detectorDays[${i}].serial`)),
        ...refs.flatMap((r) => (r && "serial" in r ? [r.serial] : [])),
    ];
    const ids = await detectorIds(pool, serials);

    const rows = input.findings.map((f, i) => {
        const ref = refs[i];
        const detector = ref === undefined ? null : "id" in ref ? requireId(ref.id, `findings[${i}].detector.id`) : ids.get(ref.serial);
        if (detector === undefined) throw new UnknownReferenceError("detector");
        return findingValues(f, detector);
    });
    for (const batch of chunks(rows)) {
        await execute(pool, `
            INSERT INTO findings (id, client_id, project_id, detector_id, detector_count, row_count, alert_count, s3_key, period_start, period_end, severity, summary, score)
            VALUES ${batch.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
            ON DUPLICATE KEY UPDATE id = id`, batch.flat());
    }
    const idOf = new Map<string, string>();
    for (const batch of chunks(input.findings)) {
        const found = await query(pool, "SELECT id, s3_key, period_start FROM findings WHERE s3_key_hash IN (?)", [batch.map((f) => keyHash(f.s3Key))]);
        for (const r of found) idOf.set(`${r.s3_key}\n${(r.period_start as Date).getTime()}`, r.id);
    }
    const findingIds = input.findings.map((f) => idOf.get(`${f.s3Key}\n${f.periodStart.getTime()}`)!);

    const unknownDetectors = [...new Set(input.detectorDays.filter((d) => !ids.has(d.serial)).map((d) => d.serial))].sort();
    // flatMap, not filter then map: a refusal names the day's place in the caller's input.
    const days = input.detectorDays.flatMap((d, i) => {
        if (!ids.has(d.serial)) return [];
        const first = requireDate(d.firstReadingAt, `detectorDays[${i}].firstReadingAt`);
        const last = requireDate(d.lastReadingAt, `detectorDays[${i}].lastReadingAt`);
        if (utcDay(first) !== utcDay(last) || last < first) throw new InvalidArgumentError(`detectorDays[${i}] must lie within one UTC day, first <= last`);
        return [[ids.get(d.serial), utcDay(first), first, last]];
    });
    for (const batch of chunks(days)) {
        await execute(pool, `
            INSERT INTO detector_days (detector_id, day, first_reading_at, last_reading_at)
            VALUES ${batch.map(() => "(?, ?, ?, ?)").join(", ")}
            ON DUPLICATE KEY UPDATE first_reading_at = LEAST(first_reading_at, VALUES(first_reading_at)),
                                    last_reading_at = GREATEST(last_reading_at, VALUES(last_reading_at))`, batch.flat());
    }
    if (input.stream) {
        const o = input.stream;
        await execute(pool, `
            INSERT INTO stream_objects (s3_key_hash, s3_key, checksum, row_count, detector_count, unassigned_rows, first_reading_at, last_reading_at)
            VALUES (UNHEX(SHA2(?, 256)), ?, ?, ?, ?, ?, ?, ?)
            ON DUPLICATE KEY UPDATE checksum = VALUES(checksum), row_count = VALUES(row_count), detector_count = VALUES(detector_count),
                unassigned_rows = VALUES(unassigned_rows), first_reading_at = VALUES(first_reading_at), last_reading_at = VALUES(last_reading_at)`, [
            requireText(o.s3Key, "stream.s3Key"), o.s3Key, requireText(o.checksum, "stream.checksum"), requireCount(o.rowCount, "stream.rowCount"),
            requireCount(o.detectorCount, "stream.detectorCount"), requireCount(o.unassignedRows, "stream.unassignedRows"),
            requireDate(o.firstReadingAt, "stream.firstReadingAt"), requireDate(o.lastReadingAt, "stream.lastReadingAt"),
        ]);
    }
    return { findingIds, unknownDetectors };
}

export async function recordCalibration(pool: Pool, input: { detectorId: string; calibratedAt: Date; coefficients: Record<string, unknown>; notes?: string }): Promise<string> {
    const id = newId();
    await execute(pool, "INSERT INTO calibrations (id, detector_id, calibrated_at, coefficients, notes) VALUES (?, ?, ?, ?, ?)", [
        id, requireId(input.detectorId, "detector id"), requireDate(input.calibratedAt, "calibratedAt"), JSON.stringify(input.coefficients), input.notes ?? null,
    ]);
    return id;
}

const FINDING_COLUMNS = `f.id, f.client_id, f.project_id, f.detector_id, det.serial, f.detector_count, f.row_count, f.alert_count,
    f.s3_key, f.period_start, f.period_end, f.severity, f.summary, f.score, f.created_at`;

const toFinding = (r: Row): Finding => ({
    id: r.id, clientId: r.client_id, projectId: r.project_id, detectorId: r.detector_id ?? null, detectorSerial: r.serial ?? null,
    detectorCount: r.detector_count, rowCount: r.row_count, alertCount: r.alert_count, s3Key: r.s3_key,
    periodStart: r.period_start, periodEnd: r.period_end, severity: r.severity, summary: r.summary, score: r.score, createdAt: r.created_at,
});

interface Cursor { t: number; id: string }

function encodeCursor(f: Finding): string {
    return Buffer.from(JSON.stringify({ t: f.periodStart.getTime(), id: f.id } satisfies Cursor)).toString("base64url");
}

function decodeCursor(cursor: string): Cursor {
    try {
        const c = JSON.parse(Buffer.from(requireText(cursor, "cursor"), "base64url").toString("utf8")) as Cursor;
        if (Number.isSafeInteger(c.t)) return { t: c.t, id: requireId(c.id, "cursor") };
    } catch {
        // fall through: any malformed cursor is the same caller mistake
    }
    throw new InvalidArgumentError("cursor is not one this API returned");
}

/** A client's findings, newest period first, with keyset pagination (stable under inserts). */
export async function listFindings(pool: Pool, clientId: string, filter: FindingFilter = {}): Promise<Page<Finding>> {
    const limit = filter.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new InvalidArgumentError(`limit must be 1-${MAX_PAGE_SIZE}`);
    const where = ["f.client_id = ?"];
    const params: unknown[] = [requireId(clientId, "client id")];
    if (filter.projectId !== undefined) { where.push("f.project_id = ?"); params.push(requireId(filter.projectId, "projectId")); }
    if (filter.detectorId !== undefined) { where.push("f.detector_id = ?"); params.push(requireId(filter.detectorId, "detectorId")); }
    if (filter.severity !== undefined) { where.push("f.severity = ?"); params.push(requireText(filter.severity, "severity")); }
    if (filter.from !== undefined) { where.push("f.period_start >= ?"); params.push(requireDate(filter.from, "from")); }
    if (filter.to !== undefined) { where.push("f.period_start < ?"); params.push(requireDate(filter.to, "to")); }
    if (filter.cursor !== undefined) {
        const c = decodeCursor(filter.cursor);
        where.push("(f.period_start < ? OR (f.period_start = ? AND f.id < ?))");
        params.push(new Date(c.t), new Date(c.t), c.id);
    }
    const rows = await query(pool, `SELECT ${FINDING_COLUMNS} FROM findings f LEFT JOIN detectors det ON det.id = f.detector_id
        WHERE ${where.join(" AND ")} ORDER BY f.period_start DESC, f.id DESC LIMIT ?`, [...params, limit + 1]);
    const items = rows.slice(0, limit).map(toFinding);
    return rows.length > limit ? { items, nextCursor: encodeCursor(items[items.length - 1]) } : { items };
}

/** One of the client's findings; undefined for an unknown id or another client's finding. */
export async function getFinding(pool: Pool, clientId: string, findingId: string): Promise<Finding | undefined> {
    const [row] = await query(pool, `SELECT ${FINDING_COLUMNS} FROM findings f LEFT JOIN detectors det ON det.id = f.detector_id
        WHERE f.id = ? AND f.client_id = ?`, [requireId(findingId, "finding id"), requireId(clientId, "client id")]);
    return row && toFinding(row);
}
