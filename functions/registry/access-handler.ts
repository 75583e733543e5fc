/**
 * The registry access Lambda's logic: Lambdas outside the VPC (which cannot reach the DB)
 * invoke it synchronously with `{ op, args }`. Only the allowlisted operations run; arguments
 * are validated here (JSON carries times as ISO-8601 strings); the answer is always
 * `{ ok: true, result }` or `{ ok: false, error: { code, message } }`, never a driver error.
 */
import type { Pool } from "mysql2/promise";
import { InvalidArgumentError, RegistryUnavailableError, isRegistryError } from "./errors";
import { ownersAt } from "./deployments";
import { ownerSpans } from "./owner-spans";
import { recordDataFile, recordFinding, recordInference } from "./records";
import { deviceKeys, siteDeployments } from "./device-identity";
import type { DataFileInput, FindingInput, InferenceRecordInput, OwnerSpan } from "./types";

/** A Date field as JSON carries it. */
type OnTheWire<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | undefined ? string | undefined : T[K] };

/** What an owner span looks like in JSON (times as ISO strings, no end = still deployed). */
export type OwnerSpanJson = OnTheWire<OwnerSpan>;

export type InferenceRecordJson = {
    stream?: OnTheWire<NonNullable<InferenceRecordInput["stream"]>>;
    findings: OnTheWire<InferenceRecordInput["findings"][number]>[];
    detectorDays: OnTheWire<InferenceRecordInput["detectorDays"][number]>[];
};

export type AccessRequest =
    | { op: "ownersAt"; args: { pairs: { detector: { id: string } | { serial: string }; at: string }[] } }
    | { op: "recordDataFile"; args: Omit<DataFileInput, "firstReadingAt" | "lastReadingAt"> & { firstReadingAt?: string; lastReadingAt?: string } }
    | { op: "recordFinding"; args: Omit<FindingInput, "periodStart" | "periodEnd"> & { periodStart: string; periodEnd: string } }
    | { op: "ownerSpans"; args: { serials: string[]; from: string; to: string } }
    | { op: "recordInference"; args: InferenceRecordJson }
    // Device identity (functions/registry/device-identity.ts): the transform's keyring, the batch path's site check.
    | { op: "deviceKeys"; args: { thingNames: string[] } }
    | { op: "siteDeployments"; args: { siteId: string } };

export type AccessResponse<T = unknown> = { ok: true; result: T } | { ok: false; error: { code: string; message: string } };

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function time(value: unknown, what: string): Date {
    const date = typeof value === "string" && ISO_TIME.test(value) ? new Date(value) : undefined;
    if (!date || Number.isNaN(date.getTime())) throw new InvalidArgumentError(`${what} must be an ISO-8601 time with zone, e.g. 2025-01-31T12:00:00Z`);
    return date;
}

function optionalTime(value: unknown, what: string): Date | undefined {
    return value === undefined || value === null ? undefined : time(value, what);
}

function record(value: unknown, what: string): Record<string, unknown> {
    if (!value || typeof value !== "object" || Array.isArray(value)) throw new InvalidArgumentError(`${what} must be an object`);
    return value as Record<string, unknown>;
}

const OPERATIONS: Record<AccessRequest["op"], (pool: Pool, args: Record<string, unknown>) => Promise<unknown>> = {
    async ownersAt(pool, args) {
        if (!Array.isArray(args.pairs)) throw new InvalidArgumentError("args.pairs must be an array");
        const pairs = args.pairs.map((p, i) => {
            const pair = record(p, `pairs[${i}]`);
            return { detector: pair.detector as never, at: time(pair.at, `pairs[${i}].at`) };
        });
        // JSON has no undefined inside arrays: "no owner" travels as null.
        return (await ownersAt(pool, pairs)).map((o) => o ?? null);
    },
    async ownerSpans(pool, args) {
        if (!Array.isArray(args.serials)) throw new InvalidArgumentError("args.serials must be an array");
        const spans = await ownerSpans(pool, args.serials as string[], time(args.from, "from"), time(args.to, "to"));
        return spans.map((s): OwnerSpanJson => ({ serial: s.serial, owner: s.owner, startsAt: s.startsAt.toISOString(), endsAt: s.endsAt?.toISOString() }));
    },
    recordInference(pool, args) {
        if (!Array.isArray(args.findings) || !Array.isArray(args.detectorDays)) throw new InvalidArgumentError("args.findings and args.detectorDays must be arrays");
        const stream = args.stream === undefined ? undefined : record(args.stream, "stream");
        return recordInference(pool, {
            stream: stream && {
                ...(stream as unknown as NonNullable<InferenceRecordInput["stream"]>),
                firstReadingAt: time(stream.firstReadingAt, "stream.firstReadingAt"), lastReadingAt: time(stream.lastReadingAt, "stream.lastReadingAt"),
            },
            findings: args.findings.map((f, i) => {
                const finding = record(f, `findings[${i}]`);
                return {
                    ...(finding as unknown as InferenceRecordInput["findings"][number]),
                    periodStart: time(finding.periodStart, `findings[${i}].periodStart`), periodEnd: time(finding.periodEnd, `findings[${i}].periodEnd`),
                };
            }),
            detectorDays: args.detectorDays.map((d, i) => {
                const day = record(d, `detectorDays[${i}]`);
                return { serial: day.serial as string, firstReadingAt: time(day.firstReadingAt, `detectorDays[${i}].firstReadingAt`), lastReadingAt: time(day.lastReadingAt, `detectorDays[${i}].lastReadingAt`) };
            }),
        });
    },
    recordDataFile(pool, args) {
        return recordDataFile(pool, {
            ...(args as unknown as DataFileInput),
            firstReadingAt: optionalTime(args.firstReadingAt, "firstReadingAt"),
            lastReadingAt: optionalTime(args.lastReadingAt, "lastReadingAt"),
        });
    },
    recordFinding(pool, args) {
        return recordFinding(pool, {
            ...(args as unknown as FindingInput),
            periodStart: time(args.periodStart, "periodStart"),
            periodEnd: time(args.periodEnd, "periodEnd"),
        });
    },
    deviceKeys(pool, args) {
        return deviceKeys(pool, args.thingNames as string[]);
    },
    siteDeployments(pool, args) {
        return siteDeployments(pool, args.siteId as string);
    },
};

/** `pool` is called only for a valid request, so bad input never opens a connection. */
export async function handleAccessRequest(pool: () => Pool, request: unknown, log: (err: unknown) => void = console.error): Promise<AccessResponse> {
    try {
        const { op, args } = record(request, "request");
        if (typeof op !== "string" || !Object.prototype.hasOwnProperty.call(OPERATIONS, op)) {
            throw new InvalidArgumentError(`unknown op; allowed: ${Object.keys(OPERATIONS).join(", ")}`);
        }
        const checkedArgs = record(args, "args");
        return { ok: true, result: await OPERATIONS[op as AccessRequest["op"]](pool(), checkedArgs) };
    } catch (err) {
        const known = isRegistryError(err) ? err : new RegistryUnavailableError(err);
        // The caller gets the domain error; unexpected failures' details stay in this function's own log.
        if (known.code === "unavailable") log(known.cause ?? known);
        return { ok: false, error: { code: known.code, message: known.message } };
    }
}
