/**
 * validateReading: checks one parsed JSON value against schema/telemetry.schema.json with a
 * small validator driven by that file (keeps Lambda packages free of a JSON Schema engine).
 * It supports exactly the keywords the contract uses; tests cross-check it against ajv.
 */
import { FieldSchema, Reading, TELEMETRY_SCHEMA } from "./contract";
import { ReasonKind } from "./reasons";

export type Validation =
    | { ok: true; reading: Reading }
    | { ok: false; kind: ReasonKind; reason: string };

interface Problem { kind: ReasonKind; text: string }

type FieldCheck = (value: unknown) => Problem | undefined;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written with `digits` ASCII digits at `at` (the pattern has already checked they are digits). */
function digitsAt(text: string, at: number, digits: number): number {
    let n = 0;
    for (let i = at; i < at + digits; i++) n = n * 10 + text.charCodeAt(i) - 48;
    return n;
}

/** JSON Schema leaves "date-time" calendar validity to format checkers; we enforce it (no 30 February). */
function isCalendarDate(text: string): boolean {
    const year = digitsAt(text, 0, 4);
    const month = digitsAt(text, 5, 2);
    const day = digitsAt(text, 8, 2);
    if (month < 1 || month > 12 || day < 1 || digitsAt(text, 11, 2) > 23 || digitsAt(text, 14, 2) > 59 || digitsAt(text, 17, 2) > 59) return false;
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    return day <= (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1]);
}

function show(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    if (typeof value === "object") return "an object";
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function rangeText(s: FieldSchema): string {
    const low = s.exclusiveMinimum !== undefined ? `(${s.exclusiveMinimum}` : `[${s.minimum ?? "-inf"}`;
    const high = s.exclusiveMaximum !== undefined ? `${s.exclusiveMaximum})` : `${s.maximum ?? "inf"}]`;
    return `${low}, ${high}`;
}

function compile(name: string, s: FieldSchema): FieldCheck {
    if (s.type === "string") {
        const pattern = s.pattern === undefined ? undefined : new RegExp(s.pattern);
        const isTimestamp = s.format === "date-time";
        return (value) => {
            if (typeof value !== "string") return { kind: "wrong-type", text: `${name} must be a string, got ${show(value)}` };
            if (isTimestamp && !(pattern!.test(value) && isCalendarDate(value))) {
                return { kind: "bad-format", text: `${name} ${show(value)} not ISO 8601 UTC (YYYY-MM-DDThh:mm:ss[.fff]Z)` };
            }
            if (pattern && !pattern.test(value)) return { kind: "bad-format", text: `${name} ${show(value)} does not match ${s.pattern}` };
            return undefined;
        };
    }
    const integer = s.type === "integer";
    const { minimum = -Infinity, maximum = Infinity, exclusiveMinimum = -Infinity, exclusiveMaximum = Infinity } = s;
    return (value) => {
        if (typeof value !== "number" || (integer && !Number.isInteger(value))) {
            return { kind: "wrong-type", text: `${name} must be ${integer ? "an integer" : "a number"}, got ${show(value)}` };
        }
        if (value < minimum || value > maximum || value <= exclusiveMinimum || value >= exclusiveMaximum) {
            return { kind: "out-of-range", text: `${name} ${value} out of range ${rangeText(s)}` };
        }
        return undefined;
    };
}

const NAMES: readonly string[] = Object.keys(TELEMETRY_SCHEMA.properties);
const CHECKS: readonly FieldCheck[] = NAMES.map((name) => compile(name, TELEMETRY_SCHEMA.properties[name]));
const REQUIRED: readonly boolean[] = NAMES.map((name) => TELEMETRY_SCHEMA.required.includes(name));

/**
 * Every problem of the reading is listed in the reason (so one look at the quarantine explains
 * it); the kind is that of the first problem, in schema field order, then unknown fields.
 */
export function validateReading(value: unknown): Validation {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return { ok: false, kind: "not-an-object", reason: `reading must be a JSON object, got ${show(value)}` };
    }
    const record = value as Record<string, unknown>;
    let problems: Problem[] | undefined;
    let present = 0;
    for (let i = 0; i < NAMES.length; i++) {
        const field = record[NAMES[i]];
        let problem: Problem | undefined;
        if (field === undefined) {
            if (REQUIRED[i]) problem = { kind: "missing-field", text: `missing field ${NAMES[i]}` };
        } else {
            present++;
            problem = CHECKS[i](field);
        }
        if (problem) (problems ??= []).push(problem);
    }
    // Only when there are more keys than known fields present can one be unknown. Counted with
    // for-in, not Object.keys: no array per reading (JSON.parse objects have no inherited keys).
    let keys = 0;
    for (const _key in record) keys++;
    if (keys > present && !TELEMETRY_SCHEMA.additionalProperties) {
        for (const key of Object.keys(record)) {
            if (!Object.prototype.hasOwnProperty.call(TELEMETRY_SCHEMA.properties, key)) (problems ??= []).push({ kind: "unknown-field", text: `unknown field ${show(key).slice(1, -1)}` });
        }
    }
    if (problems) return { ok: false, kind: problems[0].kind, reason: problems.map((p) => p.text).join("; ") };
    return { ok: true, reading: record as unknown as Reading };
}
