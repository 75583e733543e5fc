/**
 * Domain errors of the registry. Callers see these, never a driver error: each has a stable
 * `code` (safe to return to an API caller) and a message naming what was wrong, not the SQL.
 */
export class RegistryError extends Error {
    public readonly code: string;
    public readonly registryError: true;
    constructor(code: string, message: string) {
        super(message);
        // Lambda closure serialization turns these classes into plain functions: super(message)
        // then sets nothing and instanceof fails, so the fields are set here and checked by
        // isRegistryError rather than instanceof.
        this.code = code;
        this.message = message;
        this.registryError = true;
    }
}

/** True for any registry domain error, also inside a serialized Lambda (where instanceof fails). */
export function isRegistryError(err: unknown): err is RegistryError {
    return typeof err === "object" && err !== null && (err as { registryError?: unknown }).registryError === true;
}

export class InvalidArgumentError extends RegistryError {
    constructor(message: string) { super("invalid_argument", message); }
}
export class DuplicateSerialError extends RegistryError {
    constructor() { super("duplicate_serial", "a detector with this serial already exists"); }
}
export class DuplicateError extends RegistryError {
    constructor(what: string) { super("duplicate", `${what} already exists`); }
}
/** The deployment an overlapping one clashes with, so the caller can end it or pick another period. */
export interface DeploymentClash {
    readonly deploymentId: string;
    readonly serial: string;
    readonly siteName: string;
    readonly startsAt: Date;
    readonly endsAt: Date | null;
}

/** Without `clash` (the database's own refusal names none) the message is generic; deployments.ts adds it. */
export class OverlappingDeploymentError extends RegistryError {
    public readonly clash?: DeploymentClash;
    constructor(clash?: DeploymentClash, endAt?: Date) {
        super("overlapping_deployment", clash ? overlapMessage(clash, endAt) : "the detector already has a deployment overlapping this period");
        if (clash) this.clash = clash;
    }
}

function overlapMessage(c: DeploymentClash, endAt?: Date): string {
    const period = `from ${c.startsAt.toISOString()} ${c.endsAt ? `until ${c.endsAt.toISOString()}` : "with no end"}`;
    const ending = endAt
        ? `; to end it when the new one starts: PATCH /v1/deployments/${c.deploymentId} {"endsAt":"${endAt.toISOString()}","status":"retrieved"} (mdetect registry deployments end ${c.deploymentId} --at ${endAt.toISOString()})`
        : "; choose a period that does not overlap it";
    return `detector ${c.serial} is already deployed at site '${c.siteName}' ${period} (deployment ${c.deploymentId})${ending}`;
}
export class UnknownReferenceError extends RegistryError {
    constructor(what: string) { super("unknown_reference", `unknown ${what}`); }
}
export class InUseError extends RegistryError {
    constructor(what: string) { super("in_use", `${what} is still referenced and cannot be removed`); }
}
export class ConstraintViolationError extends RegistryError {
    constructor(rule: string) { super("constraint_violation", `value violates rule ${rule}`); }
}
export class NotFoundError extends RegistryError {
    constructor(what: string) { super("not_found", `${what} not found`); }
}
/** The database was unreachable or busy; safe to retry later. */
export class RegistryUnavailableError extends RegistryError {
    /** `cause` keeps the driver error for the function's own log; it is never sent to a caller. */
    constructor(cause?: unknown) {
        super("unavailable", "the registry is temporarily unavailable");
        if (cause !== undefined) this.cause = cause;
    }
}

/** What a foreign key points at, by constraint name, for UnknownReferenceError. */
const FK_TARGETS: Record<string, string> = {
    fk_projects_client: "client",
    fk_deployments_detector: "detector",
    fk_deployments_site: "site",
    fk_deployments_project: "project",
    fk_calibrations_detector: "detector",
    fk_data_files_detector: "detector",
    fk_findings_client: "client",
    fk_findings_project: "project (for this client)",
    fk_findings_detector: "detector",
    fk_maintenance_detector: "detector",
};

const UNIQUE_KEYS: Record<string, string> = {
    uq_clients_name: "a client with this name",
    uq_projects_client_name: "a project with this name for the client",
    uq_sites_name: "a site with this name",
    uq_calibrations_detector_time: "a calibration of this detector at this time",
    PRIMARY: "a record with this id",
};

/** MariaDB error numbers we translate (https://mariadb.com/kb/en/mariadb-error-codes/). */
const ER = {
    DUP_ENTRY: 1062,
    ROW_IS_REFERENCED: 1451,
    NO_REFERENCED_ROW: 1452,
    SIGNAL: 1644,
    CONSTRAINT_FAILED: 4025,
    DATA_TOO_LONG: 1406,
    BAD_NULL: 1048,
    TRUNCATED_WRONG_VALUE: 1292,
    INCORRECT_VALUE: 1366,
    OUT_OF_RANGE: 1264,
    LOCK_WAIT_TIMEOUT: 1205,
    DEADLOCK: 1213,
} as const;

/** Errors worth one more try: lock conflicts that InnoDB resolved by rolling us back. */
export function isRetryable(err: unknown): boolean {
    const errno = (err as { errno?: number }).errno;
    return errno === ER.DEADLOCK || errno === ER.LOCK_WAIT_TIMEOUT;
}

/** The first quoted name after `after`; of a qualified `db`.`table`.`column`, the last part. */
function quoted(message: string, after: string): string | undefined {
    const match = new RegExp(`${after}[^\`']*(?:[\`'][^\`']+[\`']\\.)*[\`']([^\`']+)[\`']`).exec(message);
    return match?.[1];
}

/** Translates a driver error into a domain error; anything unrecognized becomes "unavailable". */
export function toDomainError(err: unknown): RegistryError {
    if (isRegistryError(err)) return err;
    const { errno, message = "", sqlMessage = "" } = err as { errno?: number; message?: string; sqlMessage?: string };
    const text = sqlMessage || message;
    switch (errno) {
        case ER.DUP_ENTRY: {
            const key = /for key '(?:[^'.]*\.)?([^']+)'/.exec(text)?.[1] ?? "";
            if (key === "uq_detectors_serial") return new DuplicateSerialError();
            return new DuplicateError(UNIQUE_KEYS[key] ?? "this record");
        }
        case ER.NO_REFERENCED_ROW: {
            const fk = quoted(text, "CONSTRAINT") ?? "";
            return new UnknownReferenceError(FK_TARGETS[fk] ?? "reference");
        }
        case ER.ROW_IS_REFERENCED:
            return new InUseError("the record");
        case ER.SIGNAL:
            if (text.includes("mdetect:overlapping_deployment")) return new OverlappingDeploymentError();
            break;
        case ER.CONSTRAINT_FAILED:
            return new ConstraintViolationError(quoted(text, "CONSTRAINT") ?? "unknown");
        case ER.DATA_TOO_LONG:
            return new InvalidArgumentError(`value too long for ${quoted(text, "column") ?? "a field"}`);
        case ER.BAD_NULL:
            return new InvalidArgumentError(`${quoted(text, "Column") ?? "a required field"} is required`);
        case ER.TRUNCATED_WRONG_VALUE:
        case ER.INCORRECT_VALUE:
        case ER.OUT_OF_RANGE:
            return new InvalidArgumentError(`invalid value for ${quoted(text, "column") ?? "a field"}`);
    }
    return new RegistryUnavailableError(err);
}
