/**
 * A test fleet of detectors with their own device keys, signing records as the firmware
 * contract says (schema/telemetry.md, "Authentication"): a detached, unencoded-payload JWS
 * line, then the NDJSON readings; optionally gzip of the whole.
 */
import { execFileSync } from "child_process";
import { generateKeyPairSync, KeyObject, X509Certificate } from "crypto";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { deviceRecord, RecordOptions } from "../../../scripts/lib/device-record";
import { KeyLookup } from "../../../functions/realtime/identity";

export interface Device {
    readonly serial: string;
    readonly thingName: string;
    readonly alg: "ES256" | "RS256";
    readonly privateKey: KeyObject;
    readonly publicKey: KeyObject;
}

const devices = new Map<string, Device>();

/** The device of a serial (its thing name is the serial), keys made once per test run. */
export function device(serial: string, alg: "ES256" | "RS256" = "ES256"): Device {
    const id = `${serial}/${alg}`;
    let d = devices.get(id);
    if (!d) {
        const pair = alg === "ES256" ? generateKeyPairSync("ec", { namedCurve: "P-256" }) : generateKeyPairSync("rsa", { modulusLength: 2048 });
        d = { serial, thingName: serial, alg, ...pair };
        devices.set(id, d);
    }
    return d;
}

export interface SignOptions extends RecordOptions {
    /** Signing time in ms (default: the record's arrival in fixtures.firehoseEvent). */
    readonly iatMs?: number;
}

/** The record bytes a device sends for `payload` (NDJSON text): scripts/lib/device-record.ts. */
export function signRecord(d: Device, payload: string | Buffer, iatMs: number, options: SignOptions = {}): Buffer {
    return deviceRecord(d, payload, iatMs, options);
}

/** The registry of every legitimate device made by device() so far (an ES256 key wins over RS256). */
export const FLEET_KEYS: KeyLookup = (thing) => {
    const d = devices.get(`${thing}/ES256`) ?? devices.get(`${thing}/RS256`);
    return d && { thingName: d.thingName, serial: d.serial, publicKey: d.publicKey };
};

/** The device's X.509 certificate (self-signed by openssl, standing in for the one AWS IoT issues) and its AWS IoT id. */
export function certificateOf(d: Device): { pem: string; id: string } {
    const dir = mkdtempSync(path.join(os.tmpdir(), "mdetect-cert-"));
    try {
        const keyPath = path.join(dir, "key.pem");
        writeFileSync(keyPath, d.privateKey.export({ type: "pkcs8", format: "pem" }));
        const pem = execFileSync("openssl", ["req", "-x509", "-new", "-key", keyPath, "-subj", "/CN=AWS IoT Certificate", "-days", "3650"], { encoding: "utf8" });
        // AWS IoT names a certificate by the SHA-256 of its DER encoding.
        return { pem, id: new X509Certificate(pem).fingerprint256.replace(/:/g, "").toLowerCase() };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
