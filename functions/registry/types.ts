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
    id: string; clientId: string; projectId: string; detectorId: string; detectorSerial: string;
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
