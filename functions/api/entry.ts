/**
 * The Lambda entry points of the client API, one per function (so each role holds only what its
 * routes need). Dependencies come from environment variables and are built once per container,
 * on the first request: the RDS IAM token and the presigning are both local, so nothing here
 * needs a network route other than to the registry.
 */
import { poolFromLambdaEnv } from "../registry/connect";
import { ADMIN_ROUTES } from "./admin-routes";
import { DOWNLOAD_ROUTES, READ_ROUTES } from "./client-routes";
import { CONTRACT_ROUTES } from "./contract-routes";
import { ApiEvent, ApiResult } from "./http";
import { expirySeconds, presignClient } from "./presign";
import { router } from "./router";
import { UPLOAD_ROUTES } from "./upload-routes";

/** Environment variable names the infrastructure sets (infra/client-api.ts). */
export const ENV = { bucket: "DATA_BUCKET", expiry: "PRESIGN_EXPIRY_SECONDS" } as const;

function once<T>(make: () => T): () => Promise<T> {
    let value: Promise<T> | undefined;
    return () => (value ??= Promise.resolve().then(make));
}

function requireEnv(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
}

function presigning() {
    return { s3: presignClient(), bucket: requireEnv(ENV.bucket), expiresIn: expirySeconds(process.env[ENV.expiry]) };
}

export type Entry = (event: ApiEvent) => Promise<ApiResult>;

export function clientReadEntry(): Entry {
    return router(READ_ROUTES, once(() => ({ pool: poolFromLambdaEnv() })));
}

export function downloadEntry(): Entry {
    return router(DOWNLOAD_ROUTES, once(() => ({ pool: poolFromLambdaEnv(), ...presigning(), log: console })));
}

export function adminEntry(): Entry {
    return router(ADMIN_ROUTES, once(() => ({ pool: poolFromLambdaEnv() })));
}

export function uploadEntry(): Entry {
    return router(UPLOAD_ROUTES, once(presigning));
}

/** `document` is the OpenAPI document, generated at deploy time: the package holds the string, not the route code. */
export function contractEntry(document: string): Entry {
    return router(CONTRACT_ROUTES, once(() => ({ document })));
}
