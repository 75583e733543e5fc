/**
 * Turns scored rows into findings objects: one CSV per (client, project, detector, UTC date)
 * under findings/<client_id>/<project_id>/<detector_id>/<date>/<name>.csv, and one per
 * (detector, date) under findings/unassigned/ for readings no deployment covered. Keys depend
 * only on the source object and the rows, so a retry overwrites the same objects.
 */
import { createHash } from "crypto";
import { posix } from "path";
import type { Owner, Severity } from "../registry/types";
import { PREFIX } from "../layout";
import { ScoredRow } from "./scoring";

/** Severities the registry accepts (findings.severity). */
export const SEVERITY = { info: "info", warning: "warning", alert: "alert" } as const satisfies Record<Severity, Severity>;
/**
 * Scores this close below the alert threshold make a finding a "warning": worth a look in the
 * API, not worth an e-mail.
 */
export const WARNING_MARGIN = 0.1;
export const UNASSIGNED = "unassigned";
export const FINDINGS_CSV_HEADER = "detector_id,timestamp,seq,score,severity";

export function severityOf(score: number, alertThreshold: number): Severity {
    if (score >= alertThreshold) return SEVERITY.alert;
    if (score >= alertThreshold - WARNING_MARGIN) return SEVERITY.warning;
    return SEVERITY.info;
}

export interface FindingGroup {
    readonly key: string;
    /** Undefined for unassigned readings. */
    readonly owner?: Pick<Owner, "clientId" | "projectId">;
    readonly detector: string;
    /** Sites of the deployments the rows fell in (one unless a redeployment moved it that day). */
    readonly siteIds: string[];
    readonly rows: ScoredRow[];
    readonly periodStart: Date;
    /** Exclusive: one millisecond after the last reading. */
    readonly periodEnd: Date;
    readonly maxScore: number;
    readonly alertCount: number;
    readonly severity: Severity;
}

/**
 * A short file name derived from the source key: its base name plus a hash of the whole key,
 * so two sources never share a findings object and the same source always maps to the same one.
 */
export function findingsName(sourceKey: string): string {
    const base = posix.basename(sourceKey).replace(/(\.csv)?(\.gz)?$/, "").replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80);
    const hash = createHash("sha256").update(sourceKey, "utf8").digest("hex").slice(0, 12);
    return `${base}-${hash}.csv`;
}

/** A path segment from registry ids or serials: nothing that could climb out of the prefix. */
function segment(value: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(value) || value === "." || value === "..") throw new Error(`unsafe key segment ${JSON.stringify(value)}`);
    return value;
}

export function findingsKey(owner: Pick<Owner, "clientId" | "projectId"> | undefined, detector: string, date: string, name: string): string {
    const scope = owner ? [segment(owner.clientId), segment(owner.projectId)] : [UNASSIGNED];
    return `${PREFIX.findings}${[...scope, segment(detector), date, name].join("/")}`;
}

export function groupFindings(
    rows: ScoredRow[],
    ownerOf: (row: ScoredRow) => Owner | undefined,
    sourceKey: string,
    alertThreshold: number,
): FindingGroup[] {
    const name = findingsName(sourceKey);
    const groups = new Map<string, { owner?: Owner; detector: string; rows: ScoredRow[]; sites: Set<string> }>();
    for (const row of rows) {
        const owner = ownerOf(row);
        const key = findingsKey(owner, row.detectorId, new Date(row.timestamp).toISOString().slice(0, 10), name);
        let group = groups.get(key);
        if (!group) groups.set(key, group = { owner, detector: row.detectorId, rows: [], sites: new Set() });
        group.rows.push(row);
        if (owner) group.sites.add(owner.siteId);
    }
    return [...groups].map(([key, g]) => {
        // Loops, not Math.min(...): a day of one detector is 86,400 rows, too many arguments.
        let first = Infinity, last = -Infinity, maxScore = 0;
        for (const r of g.rows) {
            const t = Date.parse(r.timestamp);
            first = Math.min(first, t);
            last = Math.max(last, t);
            maxScore = Math.max(maxScore, r.score);
        }
        return {
            key,
            owner: g.owner && { clientId: g.owner.clientId, projectId: g.owner.projectId },
            detector: g.detector,
            siteIds: [...g.sites].sort(),
            rows: g.rows,
            periodStart: new Date(first),
            periodEnd: new Date(last + 1),
            maxScore,
            alertCount: g.rows.filter((r) => r.score >= alertThreshold).length,
            severity: severityOf(maxScore, alertThreshold),
        };
    });
}

export function findingsCsv(group: FindingGroup, alertThreshold: number): string {
    const lines = group.rows.map((r) => `${r.detectorId},${r.timestamp},${r.seq},${r.score},${severityOf(r.score, alertThreshold)}`);
    return `${FINDINGS_CSV_HEADER}\n${lines.join("\n")}\n`;
}
