/**
 * Transform cost of device identity and detector-side gzip (issues 14 and 17), on one Firehose
 * transform batch of minute records (60 readings each, ~3 MB of NDJSON), all in one process:
 * the full transform on signed ES256 records, the part of it that opens and verifies records
 * (the identity check), the transform on the same records gzip, and inflating them alone. The
 * baseline is the transform without the identity check (full minus open-and-verify); the
 * figures are ratios to it, so machine load affects both sides.
 */
import { generateKeyPairSync } from "crypto";
import { performance } from "perf_hooks";
import { gunzipSync } from "zlib";
import { openRecord } from "../../functions/realtime/envelope";
import { authenticate, KeyLookup } from "../../functions/realtime/identity";
import { FirehoseEvent, transformBatch } from "../../functions/realtime/transform";
import { BenchResult } from "../lib/bench";
import { deviceRecord } from "../lib/device-record";

export const name = "transform: cost of the identity check (ES256) and of gzip records";

const RECORDS = 150;
const READINGS = 60;
const RUNS = Number(process.env.MDETECT_BENCH_RUNS ?? 5);
/** Verifying signatures may add at most a quarter to the transform's cost per reading. */
const TARGET_RATIO = 1.25;

function minute(detector: string, record: number): string {
    const start = Date.UTC(2025, 5, 1) + record * 60_000;
    return Array.from({ length: READINGS }, (_, i) => JSON.stringify({
        detector_id: detector, timestamp: new Date(start + i * 1000).toISOString(), seq: record * READINGS + i,
        muon_count: 30 + ((i * 7) % 25), coincidence_count: i % 6, live_time_s: 0.97, zenith_deg: 12.5, azimuth_deg: 187.25,
        pressure_hpa: 1012 + (i % 10) / 10, temperature_c: 21 + (i % 7) / 10, humidity_pct: 55.5, sipm_bias_v: 54.2, battery_v: 12.7,
        latitude: -37.81, longitude: 144.96, depth_m: 120,
    })).join("\n") + "\n";
}

function best(run: () => void): number {
    let fastest = Infinity;
    for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        run();
        fastest = Math.min(fastest, performance.now() - t);
    }
    return fastest;
}

export async function run(): Promise<BenchResult> {
    const keys = Array.from({ length: 10 }, (_, d) => ({ thingName: `MD-${String(d + 1).padStart(4, "0")}`, alg: "ES256" as const, ...generateKeyPairSync("ec", { namedCurve: "P-256" }) }));
    const lookup: KeyLookup = (thing) => {
        const k = keys.find((x) => x.thingName === thing);
        return k && { thingName: k.thingName, serial: k.thingName, publicKey: k.publicKey };
    };
    const payloads = Array.from({ length: RECORDS }, (_, r) => ({ device: keys[r % keys.length], text: minute(keys[r % keys.length].thingName, r) }));
    const signedAt = Date.UTC(2025, 5, 1, 12);
    const event = (gzip: boolean): FirehoseEvent => ({
        invocationId: "bench",
        records: payloads.map((p, i) => ({
            recordId: String(i), approximateArrivalTimestamp: signedAt,
            data: deviceRecord(p.device, p.text, signedAt, { gzip }).toString("base64"),
            kinesisRecordMetadata: { shardId: "s", partitionKey: p.device.thingName, approximateArrivalTimestamp: signedAt, sequenceNumber: String(i) },
        })),
    });
    const plain = event(false);
    const gzip = event(true);
    const readings = RECORDS * READINGS;
    const check = transformBatch(gzip, { keys: lookup }).stats;
    if (check.rowsOut !== readings) throw new Error(`bench records did not all convert: ${JSON.stringify(check)}`);

    const signed = best(() => transformBatch(plain, { keys: lookup }));
    // The transform base64-decodes every record with or without the identity check: decoded here beforehand.
    const sent = plain.records.map((r) => ({ data: Buffer.from(r.data, "base64"), thing: r.kinesisRecordMetadata!.partitionKey }));
    const verify = best(() => {
        for (const r of sent) {
            const opened = openRecord(r.data);
            if (!opened.ok) throw new Error(opened.reason);
            const auth = authenticate({ signature: opened.signature, payload: opened.payload, partitionKey: r.thing, arrivalMs: signedAt }, lookup);
            if ("refusal" in auth) throw new Error(auth.refusal);
        }
    });
    const compressed = best(() => transformBatch(gzip, { keys: lookup }));
    const inflate = best(() => { for (const r of gzip.records) gunzipSync(Buffer.from(r.data, "base64")); });
    const baseline = signed - verify;
    const bytes = (e: FirehoseEvent) => e.records.reduce((n, r) => n + Buffer.from(r.data, "base64").length, 0);
    const perK = (ms: number) => (ms / readings * 1000).toFixed(1);
    const ratio = (ms: number) => (ms / baseline).toFixed(2);
    return {
        lines: [
            `${RECORDS} records x ${READINGS} readings, best of ${RUNS}; sent bytes plain ${bytes(plain)}, gzip ${bytes(gzip)}`,
            `transform without identity check (baseline): ${perK(baseline)} ms per 1,000 readings`,
            `transform, signed ES256 (open + verify ${perK(verify)}): ${perK(signed)} ms per 1,000 readings (x${ratio(signed)})`,
            `transform, signed ES256 + gzip (inflate ${perK(inflate)}): ${perK(compressed)} ms per 1,000 readings (x${ratio(compressed)})`,
            `target: signature check at most x${TARGET_RATIO} -> ${signed / baseline <= TARGET_RATIO ? "met" : "MISSED"}`,
        ],
        targetsMet: signed / baseline <= TARGET_RATIO,
    };
}
