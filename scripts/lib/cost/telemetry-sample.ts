/**
 * Seeded sample telemetry for the size measurements the cost model rests on
 * (policy/lib/cost/measured.ts): realistic readings of the fields telemetry.schema.json defines,
 * with the value ranges of the conversion benchmark's generator.
 */
/** Linear congruential generator: the same readings on every run. */
function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
        s = (s * 1664525 + 1013904223) >>> 0;
        return s / 2 ** 32;
    };
}

const round = (x: number, places: number): number => Math.round(x * 10 ** places) / 10 ** places;

/** `seconds` readings of each of `detectors` detectors, as one NDJSON line per reading (no newline), grouped by detector. */
export function sampleReadings(detectors: number, seconds: number, seed = 42): string[][] {
    const random = rng(seed);
    const sites = Array.from({ length: detectors }, (_, i) => ({
        id: `MD-${String(i + 1).padStart(4, "0")}`, zenith: round(random() * 60, 1), azimuth: round(random() * 359.9, 1),
        lat: round(-44 + random() * 34, 5), lon: round(113 + random() * 40, 5), depth: round(random() < 0.3 ? random() * 1500 : 0, 1),
    }));
    const start = Date.UTC(2024, 4, 1);
    const out: string[][] = sites.map(() => []);
    for (let second = 0; second < seconds; second++) {
        const timestamp = new Date(start + second * 1000).toISOString();
        sites.forEach((site, k) => {
            const muons = Math.max(0, Math.round(170 + (random() - 0.5) * 50));
            out[k].push(JSON.stringify({
                detector_id: site.id, timestamp, seq: second, muon_count: muons,
                coincidence_count: Math.round(muons * 0.05 * random()), live_time_s: round(0.97 + random() * 0.03, 4),
                zenith_deg: site.zenith, azimuth_deg: site.azimuth, pressure_hpa: round(1013 + (random() - 0.5) * 20 + site.depth * 0.12, 1),
                temperature_c: round(18 + random() * 8, 2), humidity_pct: round(35 + random() * 30, 1), sipm_bias_v: round(29 + random() * 0.2, 3),
                battery_v: round(12.4 + random() * 0.6, 2), latitude: site.lat, longitude: site.lon, depth_m: site.depth,
            }));
        });
    }
    return out;
}
