/**
 * Opening one Kinesis record as the firmware contract defines it (schema/telemetry.md,
 * "Authentication" and "Compression"):
 *
 *   [gzip of]  <JWS protected header>..<JWS signature>\n<NDJSON readings>
 *
 * The first line is a JWS in compact serialization with a detached, unencoded payload
 * (RFC 7515 appendix F, RFC 7797 "b64": false): the payload is the bytes after that line, so
 * a record costs no base64 and the readings stay plain NDJSON. A record that starts with the
 * gzip magic bytes is inflated first, never past MAX_INFLATED_BYTES (a gzip bomb is refused,
 * not expanded). A record without the signature line opens as unsigned; the transform then
 * quarantines its readings as identity-mismatch.
 */
import { gunzipSync } from "zlib";
import { ReasonKind } from "../telemetry/reasons";

/**
 * Kinesis caps a record's data at 1 MiB (PutRecord: "The maximum size of the data payload of
 * a record before base64-encoding is up to 1 MiB"): a compressed record may not hold more
 * than a plain one could. It also bounds the transform's memory per record and keeps every
 * record's CSV answer (shorter than its JSON) far below Lambda's 6 MB response.
 */
export const MAX_INFLATED_BYTES = 1024 * 1024;
/** RFC 1952: ID1 = 31, ID2 = 139. */
const GZIP_ID1 = 0x1f;
const GZIP_ID2 = 0x8b;
const NEWLINE = 0x0a;
/** base64url protected header, an empty (detached) payload, base64url signature. */
const DETACHED_JWS = /^([A-Za-z0-9_-]+)\.\.([A-Za-z0-9_-]+)$/;
/** Longest signature line read: an RSA-4096 signature plus a header is under 1.5 KB. */
const MAX_SIGNATURE_LINE_BYTES = 4096;

export interface ProtectedHeader {
    readonly alg: string;
    /** The device's AWS IoT thing name. */
    readonly kid: string;
    /** Signing time, seconds since the epoch. */
    readonly iat: number;
}

export interface Signature {
    readonly header: ProtectedHeader;
    /**
     * What the device signed is ASCII(base64url(header)) "." payload (RFC 7797 section 3): this
     * prefix, then the record's payload (kept apart so verifying copies nothing).
     */
    readonly signingPrefix: Buffer;
    readonly value: Buffer;
}

export type OpenedRecord =
    | { readonly ok: true; readonly gzip: boolean; readonly payload: Buffer; readonly signature?: Signature; readonly malformedSignature?: string }
    | { readonly ok: false; readonly kind: ReasonKind; readonly reason: string };

export function isGzip(data: Buffer): boolean {
    return data.length >= 2 && data[0] === GZIP_ID1 && data[1] === GZIP_ID2;
}

function inflate(data: Buffer): Buffer | { kind: ReasonKind; reason: string } {
    try {
        return gunzipSync(data, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (err) {
        // Error codes, not classes: instanceof fails across serialized modules.
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ERR_BUFFER_TOO_LARGE") {
            return { kind: "inflated-too-large", reason: `gzip record of ${data.length} bytes inflates past the ${MAX_INFLATED_BYTES}-byte limit of a record` };
        }
        if (code === "Z_BUF_ERROR") return { kind: "truncated-gzip", reason: "gzip record ends before the end of the compressed stream" };
        return { kind: "corrupt-gzip", reason: `gzip record is corrupt: ${(err as Error).message}` };
    }
}

function parseHeader(encoded: string): ProtectedHeader | string {
    let header: Record<string, unknown>;
    try {
        header = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
    } catch {
        return "signature header is not base64url JSON";
    }
    if (typeof header !== "object" || header === null) return "signature header is not a JSON object";
    // RFC 7797: an unencoded payload is signalled by b64: false and must be listed in crit.
    if (header.b64 !== false || !Array.isArray(header.crit) || !header.crit.includes("b64")) return "signature header must carry \"b64\": false and \"crit\": [\"b64\"]";
    if (typeof header.alg !== "string" || typeof header.kid !== "string" || typeof header.iat !== "number" || !Number.isFinite(header.iat)) {
        return "signature header needs alg, kid (thing name) and iat (seconds)";
    }
    return { alg: header.alg, kid: header.kid, iat: header.iat };
}

/** Inflates (if gzip) and splits off the signature line. Never throws. */
export function openRecord(sent: Buffer): OpenedRecord {
    const gzip = isGzip(sent);
    const data = gzip ? inflate(sent) : sent;
    if (!Buffer.isBuffer(data)) return { ok: false, ...data };
    const nl = data.indexOf(NEWLINE);
    const first = data.subarray(0, nl < 0 ? Math.min(data.length, MAX_SIGNATURE_LINE_BYTES) : Math.min(nl, MAX_SIGNATURE_LINE_BYTES)).toString("latin1").trim();
    const match = DETACHED_JWS.exec(first);
    if (!match) return { ok: true, gzip, payload: data };
    const payload = nl < 0 ? data.subarray(data.length) : data.subarray(nl + 1);
    const header = parseHeader(match[1]);
    if (typeof header === "string") return { ok: true, gzip, payload, malformedSignature: header };
    return {
        ok: true,
        gzip,
        payload,
        signature: { header, signingPrefix: Buffer.from(`${match[1]}.`, "ascii"), value: Buffer.from(match[2], "base64url") },
    };
}
