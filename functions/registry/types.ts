/** The registry's records as the data-access layer returns them (times are UTC Dates). */
export type SiteKind = "mine" | "tunnel" | "borehole" | "other";
export type DetectorStatus = "in_stock" | "deployed" | "maintenance" | "retired";
export type DeploymentStatus = "planned" | "active" | "retrieved";
export type DataFileSource = "batch" | "stream";
export type DataFileStatus = "converted" | "partial" | "quarantined" | "failed";
export type Severity = "info" | "warning" | "alert";

export interface Client { id: string; name: string; contactEmail: string | null }
export interface Project { id: string; clientId: string; name: string; description: string | null }
export interface Site { id: string; name: string; kind: SiteKind; latitude: number; longitude: number; depthM: number }
export interface Detector {
    id: string; serial: string; model: string; firmware: string; status: DetectorStatus; commissionedAt: Date | null;
}
export interface Deployment {
    id: string; detectorId: string; siteId: string; projectId: string;
    startsAt: Date; endsAt: Date | null; zenithDeg: number; azimuthDeg: number; status: DeploymentStatus;
}

/** A detector named by its registry id or by the serial printed on it (telemetry carries the serial). */
export type DetectorRef = { readonly id: string } | { readonly serial: string };

export interface Owner { clientId: string; projectId: string; siteId: string; deploymentId: string; detectorId: string }

export interface DataFileInput {
    detector: DetectorRef;
    s3Key: string;
    source: DataFileSource;
    checksum: string;
    rowsIn: number;
    rowsOut: number;
    rowsQuarantined: number;
    status: DataFileStatus;
    firstReadingAt?: Date;
    lastReadingAt?: Date;
}

/** A deployment as an interval of one detector's time: [startsAt, endsAt), endsAt undefined = still there. */
export interface OwnerSpan { serial: string; startsAt: Date; endsAt?: Date; owner: Owner }

/**
 * A finding: the scored readings of one client's project in one UTC hour of one source object.
 * `detector` is given only when a single detector made it (then the API can filter by it).
 */
export interface ProjectFindingInput {
    clientId: string;
    projectId: string;
    detector?: DetectorRef;
    detectorCount: number;
    rowCount: number;
    alertCount: number;
    s3Key: string;
    periodStart: Date;
    periodEnd: Date;
    severity: Severity;
    summary: string;
    score: number;
}

/** Which detectors reported on which UTC day, from one object: first and last reading. */
export interface DetectorDayInput { serial: string; firstReadingAt: Date; lastReadingAt: Date }

/** Everything one inference run records, in one call. */
export interface InferenceRecordInput {
    stream?: { s3Key: string; checksum: string; rowCount: number; detectorCount: number; unassignedRows: number; firstReadingAt: Date; lastReadingAt: Date };
    findings: ProjectFindingInput[];
    detectorDays: DetectorDayInput[];
}

export interface FindingInput {
    clientId: string;
    projectId: string;
    detector: DetectorRef;
    s3Key: string;
    periodStart: Date;
    periodEnd: Date;
    severity: Severity;
    summary: string;
    score: number;
}

export interface Finding {
    id: string; clientId: string; projectId: string;
    /** Set when one detector made the finding; null for a project-hour finding of several. */
    detectorId: string | null; detectorSerial: string | null;
    /** Detectors and readings in the finding's object, and readings at or above the alert threshold. */
    detectorCount: number; rowCount: number; alertCount: number;
    s3Key: string; periodStart: Date; periodEnd: Date; severity: Severity; summary: string; score: number; createdAt: Date;
}

export interface FindingFilter {
    projectId?: string;
    detectorId?: string;
    severity?: Severity;
    /** period_start >= from */
    from?: Date;
    /** period_start < to */
    to?: Date;
    limit?: number;
    /** Opaque, from the previous page's nextCursor. */
    cursor?: string;
}

export interface Page<T> { items: T[]; nextCursor?: string }

export interface SilentDeployment {
    deploymentId: string; detectorId: string; serial: string; clientId: string; projectId: string; siteId: string;
    /** Latest reading on record, undefined when the detector never sent data. */
    lastReadingAt?: Date;
}
