/**
 * Every deployment of the given detectors that overlaps [from, to]: one query for a whole
 * curated object, so inference routes its readings locally instead of asking per reading.
 */
import type { Pool } from "mysql2/promise";
import { InvalidArgumentError } from "./errors";
import { query, requireDate, requireText } from "./db";
import type { OwnerSpan } from "./types";

/** Serials per call: one statement, and the answer (~200 B a span) stays far under Lambda's 6 MB sync payload. */
export const MAX_SPAN_SERIALS = 5000;

export async function ownerSpans(pool: Pool, serials: readonly string[], from: Date, to: Date): Promise<OwnerSpan[]> {
    if (!Array.isArray(serials)) throw new InvalidArgumentError("serials must be an array");
    if (serials.length > MAX_SPAN_SERIALS) throw new InvalidArgumentError(`at most ${MAX_SPAN_SERIALS} serials per call`);
    requireDate(from, "from");
    requireDate(to, "to");
    if (to.getTime() < from.getTime()) throw new InvalidArgumentError("to must not be before from");
    if (serials.length === 0) return [];
    const rows = await query(pool, `
        SELECT det.serial, d.id, d.detector_id, d.site_id, d.project_id, p.client_id, d.starts_at, d.ends_at
          FROM detectors det
          JOIN deployments d ON d.detector_id = det.id
          JOIN projects p ON p.id = d.project_id
         WHERE det.serial IN (?) AND d.starts_at <= ? AND (d.ends_at IS NULL OR d.ends_at > ?)
         ORDER BY det.serial, d.starts_at`, [serials.map((s, i) => requireText(s, `serials[${i}]`)), to, from]);
    return rows.map((r) => ({
        serial: r.serial, startsAt: r.starts_at, endsAt: r.ends_at ?? undefined,
        owner: { clientId: r.client_id, projectId: r.project_id, siteId: r.site_id, deploymentId: r.id, detectorId: r.detector_id },
    }));
}
