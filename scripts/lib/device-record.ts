/**
 * The reference for firmware: the bytes a detector puts on the stream for one batch of readings
 * (schema/telemetry.md, "Firmware contract"). A JWS with a detached, unencoded payload
 * (RFC 7797) on the first line, the NDJSON payload after it, optionally gzip of the whole.
 * Tests and benchmarks build their records with it; the transform's tests cross-check it
 * against jose.
 */
import { KeyObject, sign } from "crypto";
import { gzipSync } from "zlib";

export interface DeviceSigner {
    readonly thingName: string;
    readonly alg: "ES256" | "RS256";
    readonly privateKey: KeyObject;
}

export interface RecordOptions {
    readonly gzip?: boolean;
    /** Header fields to override (tests forge headers with it). */
    readonly header?: Record<string, unknown>;
}

export function deviceRecord(device: DeviceSigner, payload: string | Buffer, signedAtMs: number, options: RecordOptions = {}): Buffer {
    const body = Buffer.from(payload);
    const header = { alg: device.alg, kid: device.thingName, iat: Math.floor(signedAtMs / 1000), b64: false, crit: ["b64"], ...options.header };
    const encoded = Buffer.from(JSON.stringify(header)).toString("base64url");
    const input = Buffer.concat([Buffer.from(`${encoded}.`), body]);
    // ES256 signatures are r || s (RFC 7518 section 3.4), not DER.
    const signature = device.alg === "ES256"
        ? sign("sha256", input, { key: device.privateKey, dsaEncoding: "ieee-p1363" })
        : sign("sha256", input, device.privateKey);
    const record = Buffer.concat([Buffer.from(`${encoded}..${signature.toString("base64url")}\n`), body]);
    return options.gzip ? gzipSync(record) : record;
}
