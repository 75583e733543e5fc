/**
 * Shared plumbing of the data-access layer: every query goes through `query`, which binds
 * parameters (never string-built values), retries lock conflicts, and turns driver errors
 * into domain errors. Input checks shared by the operations live here too.
 */
import { randomUUID } from "crypto";
import type { Pool } from "mysql2/promise";
import { InvalidArgumentError, isRetryable, toDomainError } from "./errors";
import type { DetectorRef } from "./types";

/** Deadlocks between writers of one detector are resolved by InnoDB rolling one back; retrying is safe for single statements. */
const ATTEMPTS = 3;

export type Row = Record<string, any>;

export async function query<T = Row>(pool: Pool, sql: string, params: unknown[] = []): Promise<T[]> {
    for (let attempt = 1; ; attempt++) {
        try {
            const [rows] = await pool.query(sql, params);
            return rows as T[];
        } catch (err) {
            if (attempt < ATTEMPTS && isRetryable(err)) continue;
            throw toDomainError(err);
        }
    }
}

/** For INSERT/UPDATE: the driver's result header (affectedRows). */
export async function execute(pool: Pool, sql: string, params: unknown[] = []): Promise<{ affectedRows: number }> {
    return (await query(pool, sql, params)) as unknown as { affectedRows: number };
}

export const newId = (): string => randomUUID();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function requireId(value: unknown, what: string): string {
    if (typeof value !== "string" || !UUID.test(value)) throw new InvalidArgumentError(`${what} must be a UUID`);
    return value;
}

export function requireDate(value: unknown, what: string): Date {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new InvalidArgumentError(`${what} must be a valid date`);
    return value;
}

export function optionalDate(value: unknown, what: string): Date | null {
    return value === undefined || value === null ? null : requireDate(value, what);
}

export function requireText(value: unknown, what: string): string {
    if (typeof value !== "string") throw new InvalidArgumentError(`${what} must be a string`);
    return value;
}

export function requireNumber(value: unknown, what: string): number {
    if (typeof value !== "number" || !Number.isFinite(value)) throw new InvalidArgumentError(`${what} must be a finite number`);
    return value;
}

export function requireCount(value: unknown, what: string): number {
    if (!Number.isSafeInteger(value) || (value as number) < 0) throw new InvalidArgumentError(`${what} must be a non-negative integer`);
    return value as number;
}

export function requireDetectorRef(ref: unknown): DetectorRef {
    const r = ref as { id?: unknown; serial?: unknown } | null;
    if (r && typeof r === "object" && r.id !== undefined && r.serial === undefined) return { id: requireId(r.id, "detector id") };
    if (r && typeof r === "object" && r.serial !== undefined && r.id === undefined) return { serial: requireText(r.serial, "detector serial") };
    throw new InvalidArgumentError("detector must be { id } or { serial }");
}

/** SQL condition on `detectors det` selecting the referenced detector, and its parameter. */
export function detectorMatch(ref: DetectorRef): [string, string] {
    return "id" in ref ? ["det.id = ?", ref.id] : ["det.serial = ?", ref.serial];
}

/**
 * UPDATE of the allowlisted fields present in `patch` (column names come from `columns`, never
 * from the caller). Returns whether a row matched.
 */
export async function updateFields(pool: Pool, table: string, id: string, patch: Record<string, unknown>, columns: Record<string, string>): Promise<boolean> {
    const fields = Object.keys(patch).filter((k) => patch[k] !== undefined);
    const unknown = fields.filter((k) => !(k in columns));
    if (unknown.length) throw new InvalidArgumentError(`cannot update ${unknown.join(", ")}`);
    if (fields.length === 0) throw new InvalidArgumentError("nothing to update");
    const sets = fields.map((k) => `${columns[k]} = ?`).join(", ");
    const result = await execute(pool, `UPDATE ${table} SET ${sets}, updated_at = UTC_TIMESTAMP(3) WHERE id = ?`, [...fields.map((k) => patch[k]), id]);
    return result.affectedRows > 0;
}
