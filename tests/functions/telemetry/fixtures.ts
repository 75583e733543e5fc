/** Readings, fast-check arbitraries and stream helpers shared by the telemetry tests. */
import fc from "fast-check";
import { Readable, Writable } from "stream";
import { gzipSync } from "zlib";
import { convertStream, Manifest, Reading } from "../../../functions/telemetry";

export function reading(overrides: Partial<Record<keyof Reading, unknown>> = {}): Reading {
    return {
        detector_id: "MD-0042", timestamp: "2024-05-01T12:00:00.250Z", seq: 1, muon_count: 171, coincidence_count: 6,
        live_time_s: 0.987, zenith_deg: 12.5, azimuth_deg: 181.2, pressure_hpa: 1012.3, temperature_c: 21.4,
        humidity_pct: 40.5, sipm_bias_v: 29.1, battery_v: 12.6, latitude: -33.86, longitude: 151.21, depth_m: 0,
        ...overrides,
    } as Reading;
}

export const line = (r: object): string => JSON.stringify(r);

const num = (min: number, max: number, extra: { minExcluded?: boolean; maxExcluded?: boolean } = {}) =>
    fc.double({ min, max, noNaN: true, noDefaultInfinity: true, ...extra });

export const timestampArb = fc
    .tuple(fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true }), fc.boolean())
    .map(([d, ms]) => (ms ? d.toISOString() : d.toISOString().replace(/\.\d{3}Z$/, "Z")));

export const detectorIdArb = fc.integer({ min: 0, max: 999999 }).map((n) => `MD-${String(n).padStart(4, "0")}`);

/** Any reading the contract accepts. */
export const readingArb: fc.Arbitrary<Reading> = fc.record({
    detector_id: detectorIdArb,
    timestamp: timestampArb,
    seq: fc.maxSafeNat(),
    muon_count: fc.integer({ min: 0, max: 4294967295 }),
    coincidence_count: fc.integer({ min: 0, max: 4294967295 }),
    live_time_s: num(0, 1, { minExcluded: true }),
    zenith_deg: num(0, 90),
    azimuth_deg: num(0, 360, { maxExcluded: true }),
    pressure_hpa: num(300, 1700),
    temperature_c: num(-60, 85),
    humidity_pct: num(0, 100),
    sipm_bias_v: num(20, 80),
    battery_v: num(0, 60),
    latitude: num(-90, 90),
    longitude: num(-180, 180),
    depth_m: num(0, 4500),
});

/** A line the contract rejects, with the kind it must be quarantined as. Balanced JSON, so it is also a bad array element. */
export const badLineArb: fc.Arbitrary<{ text: string; kind: string }> = fc.oneof(
    readingArb.map((r) => ({ text: line({ ...r, zenith_deg: 90.5 }), kind: "out-of-range" })),
    readingArb.map((r) => ({ text: line({ ...r, seq: -1 }), kind: "out-of-range" })),
    readingArb.map((r) => ({ text: line({ ...r, muon_count: "12" }), kind: "wrong-type" })),
    readingArb.map((r) => ({ text: line({ ...r, extra: 1 }), kind: "unknown-field" })),
    readingArb.map(({ seq: _seq, ...rest }) => ({ text: line(rest), kind: "missing-field" })),
    readingArb.map((r) => ({ text: line({ ...r, timestamp: r.timestamp.replace("Z", "+01:00") }), kind: "bad-format" })),
    fc.constantFrom("7", "null", "\"MD-0042\"", "true").map((text) => ({ text, kind: "not-an-object" })),
    fc.constantFrom("{\"seq\":}", "{\"a\" 1}", "{'seq':1}", "{\"seq\":01}").map((text) => ({ text, kind: "malformed-json" })),
);

export interface Collected {
    manifest: Manifest;
    csv: string;
    quarantine: Array<{ line: number; kind: string; reason: string; raw: string }>;
}

export function sink(): { stream: Writable; text: () => string } {
    const parts: Buffer[] = [];
    const stream = new Writable({ write(chunk: Buffer, _enc, done) { parts.push(chunk); done(); } });
    return { stream, text: () => Buffer.concat(parts).toString("utf8") };
}

/** Splits bytes at the given fractions, so tests exercise every chunk boundary. */
export function chunked(data: Buffer, cuts: number[] = []): Readable {
    const points = [...new Set(cuts.map((c) => Math.floor(c * data.length)))].sort((a, b) => a - b);
    const chunks: Buffer[] = [];
    let start = 0;
    for (const p of [...points, data.length]) {
        if (p > start) chunks.push(data.subarray(start, p));
        start = Math.max(start, p);
    }
    return Readable.from(chunks);
}

export async function convert(input: Buffer | string | Readable, options: { gzip?: boolean; cuts?: number[] } = {}): Promise<Collected> {
    let source: Readable;
    if (input instanceof Readable) {
        source = input;
    } else {
        const bytes = typeof input === "string" ? Buffer.from(input) : input;
        source = chunked(options.gzip ? gzipSync(bytes) : bytes, options.cuts);
    }
    const curated = sink();
    const quarantine = sink();
    const manifest = await convertStream({ input: source, sourceKey: "incoming/site/test.ndjson", curated: curated.stream, quarantine: quarantine.stream });
    const q = quarantine.text();
    return { manifest, csv: curated.text(), quarantine: q === "" ? [] : q.trimEnd().split("\n").map((l) => JSON.parse(l)) };
}

export function expectConserved(m: Manifest): void {
    if (m.rowsIn !== m.rowsOut + m.rowsQuarantined) throw new Error(`conservation broken: ${JSON.stringify(m)}`);
    const byReason = Object.values(m.reasons).reduce((a, b) => a + (b ?? 0), 0);
    if (byReason !== m.rowsQuarantined) throw new Error(`reasons do not add up: ${JSON.stringify(m)}`);
}
