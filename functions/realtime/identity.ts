/**
 * Who sent a record: the device whose registered certificate verifies the record's signature.
 * The answer is an IdentityGate for the converter: readings whose detector_id is exactly that
 * device's serial pass; every other reading (another serial, a case or whitespace variant, any
 * reading of an unsigned, forged, stale or unknown-device record) is quarantined as
 * identity-mismatch. docs/device-identity.md gives the threat model.
 */
import { createVerify, KeyObject } from "crypto";
import { ReasonKind } from "../telemetry/reasons";
import { IdentityGate } from "../telemetry/tally";
import { Signature } from "./envelope";

/**
 * A signature is made when the record is sent (not when its readings were taken), so it is
 * at most a PutRecord retry old on arrival. 15 minutes covers SDK retries and a slow uplink;
 * older ones are replays. Device clocks may run ahead by up to 5 minutes.
 */
export const MAX_SIGNATURE_AGE_SECONDS = 15 * 60;
export const MAX_CLOCK_AHEAD_SECONDS = 5 * 60;

/** A device the registry holds an active certificate for. */
export interface DeviceKey {
    readonly thingName: string;
    /** The detector serial its readings carry as detector_id. */
    readonly serial: string;
    readonly publicKey: KeyObject;
}

export type KeyLookup = (thingName: string) => DeviceKey | undefined;

export type Authentication =
    | { readonly serial: string; readonly thingName: string }
    | { readonly refusal: string; readonly kind?: ReasonKind };

/**
 * JWS algorithms a device certificate can sign with (AWS IoT issues RSA-2048; ECDSA P-256 from
 * a CSR). The algorithm must fit the registered key: a header cannot pick a weaker check.
 */
function verifies(signature: Signature, payload: Buffer, key: KeyObject): boolean {
    const { alg } = signature.header;
    const fits = alg === "ES256"
        ? key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1"
        : alg === "RS256" && key.asymmetricKeyType === "rsa";
    if (!fits) return false;
    try {
        const verifier = createVerify("sha256").update(signature.signingPrefix).update(payload);
        // ES256 signatures are r || s (RFC 7518 section 3.4), not DER.
        return alg === "ES256" ? verifier.verify({ key, dsaEncoding: "ieee-p1363" }, signature.value) : verifier.verify(key, signature.value);
    } catch {
        return false;
    }
}

export interface SentRecord {
    readonly signature?: Signature;
    /** The bytes after the signature line: what was signed after the header. */
    readonly payload: Buffer;
    readonly malformedSignature?: string;
    /** The Kinesis partition key: firmware sets it to its thing name. */
    readonly partitionKey?: string;
    readonly arrivalMs: number;
}

export function authenticate(record: SentRecord, keys: KeyLookup): Authentication {
    if (record.malformedSignature) return { refusal: `record signature is malformed: ${record.malformedSignature}` };
    const signature = record.signature;
    if (!signature) return { refusal: "record is not signed (schema/telemetry.md, Authentication)" };
    const { kid, iat, alg } = signature.header;
    if (kid !== record.partitionKey) return { refusal: `record signed as thing ${JSON.stringify(kid)} but sent with partition key ${JSON.stringify(record.partitionKey ?? null)}` };
    const key = keys(kid);
    if (!key) return { refusal: `thing ${JSON.stringify(kid)} has no active certificate in the registry` };
    if (!verifies(signature, record.payload, key.publicKey)) return { refusal: `${alg} signature does not verify against the certificate of thing ${JSON.stringify(kid)}` };
    const ageSeconds = record.arrivalMs / 1000 - iat;
    if (ageSeconds > MAX_SIGNATURE_AGE_SECONDS) return { refusal: `record signed ${Math.round(ageSeconds)} s before it arrived (over ${MAX_SIGNATURE_AGE_SECONDS} s: a replay)` };
    if (-ageSeconds > MAX_CLOCK_AHEAD_SECONDS) return { refusal: `record signed ${Math.round(-ageSeconds)} s after it arrived (device clock ahead by over ${MAX_CLOCK_AHEAD_SECONDS} s)` };
    return { serial: key.serial, thingName: kid };
}

/** The converter's gate for one record: exact serial match only (no case folding, no trimming). */
export function gateFor(auth: Authentication): IdentityGate {
    if ("refusal" in auth) {
        const refusal = { kind: auth.kind ?? "identity-mismatch" as const, reason: auth.refusal };
        return () => refusal;
    }
    const { serial, thingName } = auth;
    return (reading) => (reading.detector_id === serial
        ? undefined
        : { kind: "identity-mismatch", reason: `detector_id ${JSON.stringify(reading.detector_id)} is not the signing device ${serial} (thing ${thingName})` });
}
