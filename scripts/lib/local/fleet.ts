/**
 * A detector fleet as the firmware contract (schema/telemetry.md) has it: every detector
 * takes one reading a second and sends them in batches, one Kinesis record per batch (NDJSON,
 * partition key = serial), with PutRecords signed by its own session of the device role (what
 * the IoT credentials provider hands a certificate). Some readings are bad on purpose (one of
 * each kind the contract names, in rotation), and a chosen detector goes silent. The fleet
 * remembers what it sent, so a test can check that every reading came out somewhere.
 */
import { generateKeyPairSync, KeyObject } from "crypto";
import { gzipSync } from "zlib";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { SimClock } from "./clock";
import { Principal } from "./principals";
import { deviceRecord } from "../device-record";

export interface FleetOptions {
    readonly detectors: number;
    /** Readings per PutRecords batch (firmware buffers this many seconds). */
    readonly batchSeconds?: number;
    /** One reading in this many is bad (0: none). */
    readonly badEvery?: number;
    /** Index of the detector that stops sending after `silentAfterSeconds`. */
    readonly silentDetector?: number;
    readonly silentAfterSeconds?: number;
    /** First serial number (MD-<n>), so fleets of two tests do not collide. */
    readonly firstSerial?: number;
    /** Gzip each record (signature line and readings), as the firmware contract's default does. */
    readonly gzip?: boolean;
}

export interface SentReading { readonly detector: string; readonly seq: number; readonly bad?: string }

/** Bad readings the contract says must be quarantined, with the kind the converter names. */
const BAD: readonly { kind: string; make: (r: Record<string, unknown>) => string }[] = [
    { kind: "out-of-range", make: (r) => JSON.stringify({ ...r, zenith_deg: 97 }) },
    { kind: "malformed-json", make: (r) => JSON.stringify(r).slice(0, -1) },
    { kind: "wrong-type", make: (r) => JSON.stringify({ ...r, muon_count: String(r.muon_count) }) },
    { kind: "unknown-field", make: (r) => JSON.stringify({ ...r, firmware_note: "x" }) },
];

export function serial(n: number): string {
    return `MD-${String(n).padStart(4, "0")}`;
}

export class Fleet {
    readonly sent: SentReading[] = [];
    readonly serials: string[];
    private readonly seq = new Map<string, number>();
    private readonly buffered = new Map<string, string[]>();
    private readonly started: number;
    private count = 0;
    private readonly clients: KinesisClient[] = [];
    /** Each detector's device key (ES256): it signs every record; the registry holds the public half. */
    private readonly keys: { privateKey: KeyObject; publicKey: KeyObject }[] = [];
    putCalls = 0;
    failedPuts = 0;
    /** JSON bytes of every reading taken (no newlines): the workload's size, independent of any meter. */
    readingBytes = 0;

    constructor(private readonly options: FleetOptions, private readonly clock: SimClock, private readonly streamName: string,
        kinesisUrl: string, region: string, credentialsFor: (serial: string) => Principal) {
        const first = options.firstSerial ?? 1;
        this.serials = Array.from({ length: options.detectors }, (_, i) => serial(first + i));
        this.started = clock.now();
        for (const s of this.serials) {
            this.keys.push(generateKeyPairSync("ec", { namedCurve: "P-256" }));
            const p = credentialsFor(s);
            this.clients.push(new KinesisClient({
                region, endpoint: kinesisUrl, requestHandler: new NodeHttpHandler(),
                credentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, sessionToken: p.sessionToken },
            }));
        }
    }

    /** Public key PEM per serial, for the registry (what provisioning records as the certificate). */
    publicKeys(): Record<string, string> {
        return Object.fromEntries(this.serials.map((s, i) => [s, this.keys[i].publicKey.export({ type: "spki", format: "pem" }).toString()]));
    }

    private silent(index: number): boolean {
        return index === this.options.silentDetector && this.clock.now() - this.started >= (this.options.silentAfterSeconds ?? 0) * 1000;
    }

    /** Every detector takes this second's reading; full batches are sent. */
    async tick(): Promise<void> {
        const batchSeconds = this.options.batchSeconds ?? 10;
        const sends: Promise<void>[] = [];
        this.serials.forEach((s, i) => {
            if (this.silent(i)) return;
            const seq = this.seq.get(s) ?? 0;
            this.seq.set(s, seq + 1);
            const lines = this.buffered.get(s) ?? [];
            lines.push(this.reading(s, seq));
            this.buffered.set(s, lines);
            if (lines.length >= batchSeconds) sends.push(this.send(i, s));
        });
        await Promise.all(sends);
    }

    /** Sends what every detector still buffers (end of a run). */
    async flush(): Promise<void> {
        await Promise.all(this.serials.map((s, i) => (this.buffered.get(s)?.length ? this.send(i, s) : Promise.resolve())));
    }

    private reading(detector: string, seq: number): string {
        const t = new Date(this.clock.now()).toISOString();
        const reading = {
            detector_id: detector, timestamp: t, seq,
            muon_count: 150 + ((seq * 7 + detector.length) % 40), coincidence_count: 10 + (seq % 5), live_time_s: 0.98,
            zenith_deg: 12.5, azimuth_deg: 180, pressure_hpa: 1013.2, temperature_c: 24.5, humidity_pct: 40,
            sipm_bias_v: 29.5, battery_v: 12.6, latitude: -31.95, longitude: 115.86, depth_m: 420,
        };
        this.count += 1;
        const line = this.line(reading);
        this.readingBytes += Buffer.byteLength(line);
        return line;
    }

    private line(reading: Record<string, unknown>): string {
        const badEvery = this.options.badEvery ?? 0;
        if (badEvery > 0 && this.count % badEvery === 0) {
            const bad = BAD[(this.count / badEvery) % BAD.length];
            this.sent.push({ detector: String(reading.detector_id), seq: Number(reading.seq), bad: bad.kind });
            return bad.make(reading);
        }
        this.sent.push({ detector: String(reading.detector_id), seq: Number(reading.seq) });
        return JSON.stringify(reading);
    }

    private async send(index: number, detector: string): Promise<void> {
        const lines = this.buffered.get(detector) ?? [];
        this.buffered.set(detector, []);
        this.putCalls += 1;
        // The firmware contract: a detached JWS line signed with the device key (thing name = serial), then the readings.
        const signed = deviceRecord({ thingName: detector, alg: "ES256", privateKey: this.keys[index].privateKey }, lines.join("\n") + "\n", this.clock.now());
        const data = this.options.gzip ? gzipSync(signed) : signed;
        // The firmware retries a failed put on its next batch: keep the lines.
        try {
            const out = await this.clients[index].send(new PutRecordsCommand({ StreamName: this.streamName, Records: [{ Data: data, PartitionKey: detector }] }));
            if (out.FailedRecordCount) throw new Error(out.Records?.[0]?.ErrorMessage ?? "record failed");
        } catch (err) {
            this.failedPuts += 1;
            this.buffered.set(detector, [...lines, ...(this.buffered.get(detector) ?? [])]);
            throw err;
        }
    }

    stop(): void {
        for (const c of this.clients) c.destroy();
    }
}
