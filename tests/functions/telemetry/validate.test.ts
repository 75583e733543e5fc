import { expect } from "chai";
import fc from "fast-check";
import Ajv2020 from "ajv/dist/2020";
import * as fs from "fs";
import * as path from "path";
import { CSV_COLUMNS, FEATURES, FIELDS, TELEMETRY_SCHEMA, validateReading } from "../../../functions/telemetry";
import { reading, readingArb } from "./fixtures";

const SCHEMA_DIR = path.join(__dirname, "..", "..", "..", "schema");

function rejected(value: unknown): { kind: string; reason: string } {
    const result = validateReading(value);
    if (result.ok) throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
    return { kind: result.kind, reason: result.reason };
}

describe("functions/telemetry: the contract and validateReading", () => {
    it("schema files: 16 fields, closed object, features are data and all exist in the schema", () => {
        expect(FIELDS).to.have.length(16);
        expect(TELEMETRY_SCHEMA.additionalProperties).to.equal(false);
        expect([...TELEMETRY_SCHEMA.required].sort()).to.deep.equal([...FIELDS].sort());
        const features = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, "features.json"), "utf8"));
        expect(features.idColumns).to.deep.equal(["detector_id", "timestamp", "seq"]);
        expect(FEATURES).to.deep.equal(["muon_count", "coincidence_count", "live_time_s", "zenith_deg", "azimuth_deg", "pressure_hpa", "temperature_c", "depth_m"]);
        for (const column of CSV_COLUMNS) expect(FIELDS).to.include(column);
    });

    it("the schema is valid draft 2020-12 and every field is documented in telemetry.md", () => {
        const ajv = new Ajv2020({ strict: true, validateFormats: false });
        expect(() => ajv.compile(TELEMETRY_SCHEMA)).to.not.throw();
        const doc = fs.readFileSync(path.join(SCHEMA_DIR, "telemetry.md"), "utf8");
        for (const field of FIELDS) expect(doc, field).to.include(`\`${field}\``);
    });

    it("accepts a realistic reading and returns it", () => {
        const r = reading();
        expect(validateReading(r)).to.deep.equal({ ok: true, reading: r });
    });

    it("accepts the bounds of every inclusive range", () => {
        for (const [field, s] of Object.entries(TELEMETRY_SCHEMA.properties)) {
            for (const bound of [s.minimum, s.maximum]) {
                if (bound !== undefined) expect(validateReading(reading({ [field]: bound })).ok, `${field}=${bound}`).to.equal(true);
            }
        }
    });

    const cases: Array<[string, unknown, string, string]> = [
        ["a missing field", (({ seq: _s, ...r }) => r)(reading()), "missing-field", "missing field seq"],
        ["an unknown field", { ...reading(), foo: 1 }, "unknown-field", "unknown field foo"],
        ["zenith above 90", reading({ zenith_deg: 97 }), "out-of-range", "zenith_deg 97 out of range [0, 90]"],
        ["azimuth of exactly 360", reading({ azimuth_deg: 360 }), "out-of-range", "azimuth_deg 360 out of range [0, 360)"],
        ["live time of 0", reading({ live_time_s: 0 }), "out-of-range", "live_time_s 0 out of range (0, 1]"],
        ["live time above 1", reading({ live_time_s: 1.01 }), "out-of-range", "live_time_s 1.01 out of range (0, 1]"],
        ["a negative muon count", reading({ muon_count: -3 }), "out-of-range", "muon_count -3 out of range [0, 4294967295]"],
        ["humidity over 100", reading({ humidity_pct: 100.1 }), "out-of-range", "humidity_pct 100.1 out of range [0, 100]"],
        ["pressure of a vacuum", reading({ pressure_hpa: 0 }), "out-of-range", "pressure_hpa 0 out of range [300, 1700]"],
        ["a fractional seq", reading({ seq: 1.5 }), "wrong-type", "seq must be an integer, got 1.5"],
        ["a count as a string", reading({ muon_count: "12" }), "wrong-type", "muon_count must be an integer, got \"12\""],
        ["null temperature", reading({ temperature_c: null }), "wrong-type", "temperature_c must be a number, got null"],
        ["a boolean latitude", reading({ latitude: true }), "wrong-type", "latitude must be a number, got true"],
        ["a numeric detector id", reading({ detector_id: 42 }), "wrong-type", "detector_id must be a string, got 42"],
        ["a malformed detector id", reading({ detector_id: "md-42" }), "bad-format", "detector_id \"md-42\" does not match ^MD-[0-9]{4,6}$"],
        ["a local-time timestamp", reading({ timestamp: "2024-05-01T12:00:00+10:00" }), "bad-format", "timestamp \"2024-05-01T12:00:00+10:00\" not ISO 8601 UTC"],
        ["a space-separated timestamp", reading({ timestamp: "2024-05-01 12:00:00Z" }), "bad-format", "not ISO 8601 UTC"],
        ["29 February in a common year", reading({ timestamp: "2023-02-29T00:00:00Z" }), "bad-format", "not ISO 8601 UTC"],
        ["hour 24", reading({ timestamp: "2024-05-01T24:00:00Z" }), "bad-format", "not ISO 8601 UTC"],
        ["month 00", reading({ timestamp: "2024-00-10T00:00:00Z" }), "bad-format", "not ISO 8601 UTC"],
        ["month 13", reading({ timestamp: "2024-13-10T00:00:00Z" }), "bad-format", "not ISO 8601 UTC"],
        ["day 00", reading({ timestamp: "2024-05-00T00:00:00Z" }), "bad-format", "not ISO 8601 UTC"],
        ["31 April", reading({ timestamp: "2024-04-31T00:00:00Z" }), "bad-format", "not ISO 8601 UTC"],
        ["minute 60", reading({ timestamp: "2024-05-01T12:60:00Z" }), "bad-format", "not ISO 8601 UTC"],
        ["second 60", reading({ timestamp: "2024-05-01T12:00:60Z" }), "bad-format", "not ISO 8601 UTC"],
        ["29 February of a century year not divisible by 400", reading({ timestamp: "1900-02-29T00:00:00Z" }), "bad-format", "not ISO 8601 UTC"],
        ["an object as a count", reading({ muon_count: { n: 1 } }), "wrong-type", "muon_count must be an integer, got an object"],
        ["an array as a number", reading({ depth_m: [1] }), "wrong-type", "depth_m must be a number, got an array"],
        ["a field named undefined", { ...reading(), undefined: 1 }, "unknown-field", "unknown field undefined"],
        ["an array", [reading()], "not-an-object", "reading must be a JSON object, got an array"],
        ["null", null, "not-an-object", "reading must be a JSON object, got null"],
    ];
    for (const [what, value, kind, reason] of cases) {
        it(`rejects ${what} as ${kind} with a specific reason`, () => {
            const r = rejected(value);
            expect(r.kind).to.equal(kind);
            expect(r.reason).to.include(reason);
        });
    }

    it("accepts 29 February in a leap year, with and without fractional seconds", () => {
        expect(validateReading(reading({ timestamp: "2024-02-29T23:59:59Z" })).ok).to.equal(true);
        expect(validateReading(reading({ timestamp: "2024-02-29T23:59:59.123456789Z" })).ok).to.equal(true);
        expect(rejected(reading({ timestamp: "2100-02-29T00:00:00Z" })).kind).to.equal("bad-format");
    });

    it("accepts the last valid day of every month, 29 February of 2000, and 23:59:59", () => {
        const lastDays = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        lastDays.forEach((day, i) => {
            const timestamp = `2024-${String(i + 1).padStart(2, "0")}-${day}T23:59:59Z`;
            expect(validateReading(reading({ timestamp })).ok, timestamp).to.equal(true);
        });
        expect(validateReading(reading({ timestamp: "2000-02-29T00:00:00Z" })).ok).to.equal(true);
        expect(validateReading(reading({ timestamp: "2024-01-01T00:00:00Z" })).ok).to.equal(true);
    });

    it("a timestamp of the right shape is accepted exactly when it names a real UTC instant (property)", () => {
        const two = (n: number): string => String(n).padStart(2, "0");
        fc.assert(fc.property(
            fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }),
            fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 61 }),
            (year, month, day, hour, minute, second) => {
                const timestamp = `${String(year).padStart(4, "0")}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}Z`;
                const date = new Date(0);
                date.setUTCFullYear(year, month - 1, day);
                date.setUTCHours(hour, minute, second);
                const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
                    && date.getUTCHours() === hour && date.getUTCMinutes() === minute && date.getUTCSeconds() === second;
                expect(validateReading(reading({ timestamp })).ok, timestamp).to.equal(real);
            },
        ), { numRuns: 2000 });
    });

    it("shows a value of up to 60 characters of JSON whole, a longer one as its first 57 and \"...\"", () => {
        const id = (jsonLength: number): string => "x".repeat(jsonLength - 2);
        expect(rejected(reading({ detector_id: id(60) })).reason).to.equal(`detector_id "${id(60)}" does not match ^MD-[0-9]{4,6}$`);
        expect(rejected(reading({ detector_id: id(61) })).reason).to.equal(`detector_id "${id(61).slice(0, 56)}... does not match ^MD-[0-9]{4,6}$`);
    });

    it("lists every problem of a reading in its reason, kind from the first", () => {
        const r = rejected({ ...reading({ zenith_deg: 97, battery_v: "low" }), foo: 1 });
        expect(r.kind).to.equal("out-of-range");
        expect(r.reason).to.equal("zenith_deg 97 out of range [0, 90]; battery_v must be a number, got \"low\"; unknown field foo");
    });

    it("accepts every reading the arbitrary generates (property)", () => {
        fc.assert(fc.property(readingArb, (r) => validateReading(JSON.parse(JSON.stringify(r))).ok));
    });

    it("agrees with ajv on the same schema file for mutated readings (property)", () => {
        const ajv = new Ajv2020({ strict: true, validateFormats: false }).compile(TELEMETRY_SCHEMA);
        const field = fc.constantFrom(...FIELDS);
        const boundaryValue = fc.oneof(
            fc.constantFrom(...Object.values(TELEMETRY_SCHEMA.properties).flatMap((s) => [s.minimum, s.maximum, s.exclusiveMinimum, s.exclusiveMaximum]).filter((x): x is number => x !== undefined).flatMap((x) => [x, x - 1e-9, x + 1e-9, -x])),
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.integer(),
            fc.jsonValue(),
        );
        const mutation = fc.oneof(
            field.map((name) => ({ op: "delete" as const, name, value: undefined as unknown })),
            fc.tuple(field, boundaryValue).map(([name, value]) => ({ op: "set" as const, name: name as string, value })),
            fc.tuple(fc.string(), fc.jsonValue()).map(([name, value]) => ({ op: "set" as const, name, value })),
        );
        fc.assert(fc.property(readingArb, fc.array(mutation, { maxLength: 4 }), (r, mutations) => {
            const obj: Record<string, unknown> = { ...r };
            for (const m of mutations) {
                if (m.op === "delete") delete obj[m.name];
                else Object.defineProperty(obj, m.name, { value: m.value, enumerable: true, writable: true, configurable: true });
            }
            const value = JSON.parse(JSON.stringify(obj));
            expect(validateReading(value).ok).to.equal(ajv(value));
        }), { numRuns: 500 });
    });
});
