/**
 * Turns scored rows into findings objects: one gzip CSV per (client, project, UTC hour) of each
 * source object, under findings/<client_id>/<project_id>/<date>/<HH>/<name>.csv.gz, and one per
 * UTC hour under findings/unassigned/<date>/<HH>/ for readings no deployment covered. Objects
 * per day therefore follow clients x projects x curated objects, not detectors. Keys depend only
 * on the source object and the rows, so a retry overwrites the same objects (and the registry
 * finds the same rows): a duplicated delivery never doubles a client's rows.
 */
import { createHash } from "crypto";
import { posix } from "path";
import { gzipSync } from "zlib";
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
/** The period a finding covers: one UTC hour (findings of one hour of one project are one object per source). */
export const FINDING_PERIOD_MS = 3600_000;

export function severityOf(score: number, alertThreshold: number): Severity {
    if (score >= alertThreshold) return SEVERITY.alert;
    if (score >= alertThreshold - WARNING_MARGIN) return SEVERITY.warning;
    return SEVERITY.info;
}

export interface FindingGroup {
    readonly key: string;
    /** Undefined for unassigned readings. */
    readonly owner?: Pick<Owner, "clientId" | "projectId">;
    /** Detector serials in the group, sorted. */
    readonly detectors: string[];
    /** Serials with at least one reading at or above the alert threshold, sorted (what an alert names). */
    readonly alertingDetectors: string[];
    /** Registry id of the detector when the group has exactly one (and an owner). */
    readonly detectorId?: string;
    /** Sites of the deployments the rows fell in. */
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
    const hash = createHash("sha256").update(sourceKey).digest("hex").slice(0, 12);
    return `${base}-${hash}.csv.gz`;
}

/** A path segment from registry ids: nothing that could climb out of the prefix. */
function segment(value: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(value) || value === "." || value === "..") throw new Error(`unsafe key segment ${JSON.stringify(value)}`);
    return value;
}

/** `hourStartMs` is the start of a UTC hour: the key names its date and hour. */
export function findingsKey(owner: Pick<Owner, "clientId" | "projectId"> | undefined, hourStartMs: number, name: string): string {
    const iso = new Date(hourStartMs).toISOString();
    const scope = owner ? [segment(owner.clientId), segment(owner.projectId)] : [UNASSIGNED];
    return `${PREFIX.findings}${[...scope, iso.slice(0, 10), iso.slice(11, 13), name].join("/")}`;
}

interface Building { owner?: Owner; rows: ScoredRow[]; detectors: Set<string>; detectorIds: Set<string>; sites: Set<string> }

export function groupFindings(
    rows: ScoredRow[],
    ownerOf: (row: ScoredRow) => Owner | undefined,
    sourceKey: string,
    alertThreshold: number,
): FindingGroup[] {
    const name = findingsName(sourceKey);
    const groups = new Map<string, Building>();
    for (const row of rows) {
        const owner = ownerOf(row);
        const t = Date.parse(row.timestamp);
        const key = findingsKey(owner, t - (t % FINDING_PERIOD_MS), name);
        let group = groups.get(key);
        if (!group) groups.set(key, group = { owner, rows: [], detectors: new Set(), detectorIds: new Set(), sites: new Set() });
        group.rows.push(row);
        group.detectors.add(row.detectorId);
        if (owner) { group.sites.add(owner.siteId); group.detectorIds.add(owner.detectorId); }
    }
    return [...groups].map(([key, g]) => {
        // A loop, not Math.min(...rows): an hour of a project is up to millions of rows, too many arguments.
        let first = Infinity, last = -Infinity, maxScore = 0, alertCount = 0;
        const alerting = new Set<string>();
        for (const r of g.rows) {
            const t = Date.parse(r.timestamp);
            first = Math.min(first, t);
            last = Math.max(last, t);
            maxScore = Math.max(maxScore, r.score);
            if (r.score >= alertThreshold) { alertCount++; alerting.add(r.detectorId); }
        }
        return {
            key,
            owner: g.owner && { clientId: g.owner.clientId, projectId: g.owner.projectId },
            detectors: [...g.detectors].sort(),
            alertingDetectors: [...alerting].sort(),
            // detectorIds holds owned readings' detectors only, so an unassigned group has none.
            detectorId: g.detectorIds.size === 1 ? [...g.detectorIds][0] : undefined,
            siteIds: [...g.sites].sort(),
            rows: g.rows,
            periodStart: new Date(first),
            periodEnd: new Date(last + 1),
            maxScore,
            alertCount,
            severity: severityOf(maxScore, alertThreshold),
        };
    });
}

export function findingsCsv(group: FindingGroup, alertThreshold: number): string {
    const lines = group.rows.map((r) => `${r.detectorId},${r.timestamp},${r.seq},${r.score},${severityOf(r.score, alertThreshold)}`);
    return `${FINDINGS_CSV_HEADER}\n${lines.join("\n")}\n`;
}

/** The object's body: gzip CSV (findings compress ~5x; one object holds a project's hour of a source). */
export function findingsBody(group: FindingGroup, alertThreshold: number): Buffer {
    return gzipSync(findingsCsv(group, alertThreshold));
}
