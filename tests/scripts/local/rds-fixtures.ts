/**
 * An RDS front over a migrated test database, and clients that sign in the way
 * functions/registry/connect.ts does (an IAM token from @aws-sdk/rds-signer, sent in clear text
 * over TLS) but trusting the local CA directly, for the front's own tests; the plan's functions
 * get the local CA through their CA bundle package instead (see cloud.ts, docs/local.md).
 */
import mysql = require("mysql2/promise");
import { Signer } from "@aws-sdk/rds-signer";
import { iamAuthorizer } from "../../../scripts/lib/local/iam";
import { createLocalCa, LocalCa } from "../../../scripts/lib/local/local-ca";
import { Principal, Principals } from "../../../scripts/lib/local/principals";
import { RdsFront } from "../../../scripts/lib/local/rds-front";
import { dbUserArn } from "../../../scripts/lib/local/rds-auth";
import { enableLocalLogins, LOCAL_DB_PASSWORD } from "../../../scripts/lib/local/db-users";
import { migrationConnection, urlOptions } from "../../../functions/registry/connect";
import { APP_USER, READ_USER } from "../../../infra/registry";
import { withTestDatabase, TestDatabase } from "../../helpers/db";
import { ACCOUNT, REGION } from "./fixtures";

export const RESOURCE_ID = "db-LOCALFRONTTEST";
export { APP_USER, READ_USER };

export interface FrontFixture {
    readonly db: TestDatabase;
    readonly ca: LocalCa;
    readonly front: RdsFront;
    readonly principals: Principals;
    /** A session of a role allowed `rds-db:connect` as exactly `users`. */
    session(label: string, users: readonly string[]): Principal;
    stop(): Promise<void>;
}

/** Set `clock.offsetMs` to move the front's clock (expiry tests). */
export async function startFront(clock: { offsetMs: number } = { offsetMs: 0 }): Promise<FrontFixture> {
    const db = await withTestDatabase();
    const admin = await migrationConnection({ ...urlOptions(db.url) });
    let backendAccounts: Map<string, string>;
    try { backendAccounts = await enableLocalLogins(admin, db.name, [READ_USER, APP_USER], APP_USER); } finally { await admin.end(); }
    const ca = createLocalCa();
    const principals = new Principals();
    const server = urlOptions(db.url);
    const front = new RdsFront({
        backend: { host: server.host!, port: server.port! }, backendPassword: LOCAL_DB_PASSWORD, backendAccounts, tls: ca.server,
        region: REGION, account: ACCOUNT, resourceId: RESOURCE_ID, principals, authorizer: iamAuthorizer(ACCOUNT, REGION),
        now: () => Date.now() + clock.offsetMs,
    });
    await front.start();
    const endpoint = { hostPort: "", region: REGION, account: ACCOUNT, resourceId: RESOURCE_ID };
    return {
        db, ca, front, principals,
        session: (label, users) => principals.issue(label, `arn:aws:iam::${ACCOUNT}:role/${label}`, [{
            name: "connect", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "rds-db:connect", Resource: users.map((u) => dbUserArn(endpoint, u)) }] },
        }]),
        async stop() { await front.stop(); ca.remove(); await db.drop(); },
    };
}

/**
 * How long a test's sign-in may take. The client and the front share the test process, so a CI
 * machine's load and the suite's garbage collection pauses fall on both. A sign-in once failed in
 * CI with the socket closed during TLS (not reproduced in 400 concurrent sign-ins here); mysql2's
 * own connectTimeout, 5 s as functions/registry/connect.ts sets it for a Lambda, is the one cause
 * found that ends a sign-in so without the front failing, and the front's `brokenHandshakes` now
 * names any other. A front that hangs still fails the test, by mocha's timeout.
 */
export const SIGN_IN_TIMEOUT_MS = 30_000;

export interface SignInOptions {
    /** Sign the token for this user instead of the one signing in. */
    readonly tokenUser?: string;
    /** Replace the token. */
    readonly token?: (token: string) => string;
    readonly ssl?: false;
}

/** One connection to the front as `user`, authenticated with `principal`'s IAM token. */
export async function signIn(f: FrontFixture, principal: Principal, user: string, options: SignInOptions = {}): Promise<mysql.Connection> {
    const signer = new Signer({
        hostname: f.front.host, port: f.front.port, username: options.tokenUser ?? user, region: REGION,
        credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey, sessionToken: principal.sessionToken },
    });
    const broken = f.front.brokenHandshakes.length;
    return mysql.createConnection({
        host: f.front.host, port: f.front.port, user, database: f.db.name, connectTimeout: SIGN_IN_TIMEOUT_MS,
        ssl: options.ssl === false ? undefined : { ca: [f.ca.caPem] },
        authPlugins: { mysql_clear_password: () => async () => {
            const token = await signer.getAuthToken();
            return Buffer.from(`${options.token ? options.token(token) : token}\0`);
        } },
    }).catch((err) => {
        // Say what the front saw: the client alone only sees the socket close.
        const seen = f.front.brokenHandshakes.slice(broken);
        if (seen.length) err.message += ` (the front: ${seen.join("; ")})`;
        throw err;
    });
}

/** The error a sign-in ends with (undefined when it succeeded, and then the connection is closed). */
export async function signInError(f: FrontFixture, principal: Principal, user: string, options: SignInOptions = {}): Promise<any> {
    const conn = await signIn(f, principal, user, options).catch((e) => e);
    if (conn instanceof Error) return conn;
    await conn.end();
    return undefined;
}
