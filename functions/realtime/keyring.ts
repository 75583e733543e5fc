/**
 * The transform's copy of the registry's device certificates, fetched in one call per batch
 * for the things not cached, and kept per container for KEY_TTL_MS. A revoked certificate
 * (decommissioned detector) stops verifying within that time; an unknown thing is cached as
 * absent too, so forged partition keys cost one registry call per TTL, not one per record.
 */
import { X509Certificate, createPublicKey } from "crypto";
import { DeviceKey, KeyLookup } from "./identity";

/** Five minutes: revocation takes effect well inside the device credentials' hour. */
export const KEY_TTL_MS = 5 * 60 * 1000;
/** AWS IoT thing names: 1-128 of [a-zA-Z0-9:_-] (CreateThing). Anything else is never looked up. */
export const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;
/** Entries kept at most: the fleet plus room for forged names; the cache is cleared past it. */
const MAX_ENTRIES = 100_000;

/** What the registry returns per active device certificate (functions/registry/device-identity.ts). */
export interface DeviceKeyRecord {
    readonly thingName: string;
    readonly serial: string;
    /** PEM of the X.509 certificate AWS IoT issued (or of its public key). */
    readonly certificatePem: string;
}

export type FetchDeviceKeys = (thingNames: string[]) => Promise<DeviceKeyRecord[]>;

export interface Keyring {
    /** Makes sure the given things are known (or known absent), then answers lookups for them. */
    lookup(thingNames: readonly (string | undefined)[]): Promise<KeyLookup>;
}

export function toDeviceKey(record: DeviceKeyRecord): DeviceKey {
    const pem = record.certificatePem;
    const publicKey = pem.includes("BEGIN CERTIFICATE") ? new X509Certificate(pem).publicKey : createPublicKey(pem);
    return { thingName: record.thingName, serial: record.serial, publicKey };
}

export function cachedKeyring(fetch: FetchDeviceKeys, now: () => number = Date.now, ttlMs: number = KEY_TTL_MS): Keyring {
    // Created when the keyring is, inside the running Lambda: never a serialized module-level Map.
    const entries = new Map<string, { key?: DeviceKey; until: number }>();
    return {
        async lookup(thingNames) {
            const t = now();
            const wanted = [...new Set(thingNames)].filter((n): n is string => typeof n === "string" && THING_NAME.test(n));
            const missing = wanted.filter((n) => (entries.get(n)?.until ?? 0) <= t);
            if (missing.length > 0) {
                const found = await fetch(missing);
                if (entries.size + missing.length > MAX_ENTRIES) entries.clear();
                const until = t + ttlMs;
                const asked = new Set(missing);
                for (const n of missing) entries.set(n, { until });
                for (const record of found) {
                    // Only what was asked for: a confused answer cannot plant keys for other things.
                    if (asked.has(record.thingName)) entries.set(record.thingName, { key: toDeviceKey(record), until });
                }
            }
            return (thingName) => entries.get(thingName)?.key;
        },
    };
}

/**
 * The container's keyring, made on first use. It lives on globalThis because Pulumi's closure
 * serialization rebuilds every captured variable on each call of the handler: a keyring held in
 * a captured `let` is empty on every invocation (the serialized-package test shows it).
 */
export function containerKeyring(make: () => Keyring): Keyring {
    const slot = globalThis as { mdetectDeviceKeyring?: Keyring };
    return (slot.mdetectDeviceKeyring ??= make());
}
