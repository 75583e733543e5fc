/**
 * Connections to the registry. Every session runs in UTC (time_zone '+00:00', and the driver
 * reads and writes DATETIME as UTC) so times never shift with a server or Lambda setting.
 *
 * - `poolFromUrl`: CLI and tests, `mysql://user:pass@host:port/db`.
 * - `poolFromLambdaEnv`: Lambdas, DB_HOST/DB_PORT/DB_NAME/DB_USER, authenticated with an RDS IAM
 *   token (signed locally from the function's role: no network, no password anywhere) over TLS
 *   verified against the Amazon RDS CA bundle shipped with mysql2.
 */
// `import =` keeps the real module object, which closure serialization turns into require("mysql2/promise");
// a namespace import would be a copy whose functions it tries to inline.
import mysql = require("mysql2/promise");
import { Signer } from "@aws-sdk/rds-signer";

export type Pool = mysql.Pool;

/** A Lambda serves one request at a time; two connections cover a query plus a lock wait. */
const LAMBDA_POOL_SIZE = 2;
const LOCAL_POOL_SIZE = 25;
const CONNECT_TIMEOUT_MS = 5000;

const COMMON: mysql.PoolOptions = {
    timezone: "Z",
    dateStrings: false,
    decimalNumbers: true,
    charset: "utf8mb4_unicode_ci",
    connectTimeout: CONNECT_TIMEOUT_MS,
};

function utcSessions(pool: mysql.Pool): mysql.Pool {
    // Queued before any other command on the new connection, so it always runs first.
    pool.pool.on("connection", (conn) => { conn.query("SET time_zone = '+00:00'"); });
    return pool;
}

export function urlOptions(url: string): mysql.ConnectionOptions {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        throw new Error(`not a database URL: expected mysql://user[:password]@host[:port]/database`);
    }
    if (parsed.protocol !== "mysql:" && parsed.protocol !== "mariadb:") throw new Error(`database URL must start with mysql://, got ${parsed.protocol}//`);
    return {
        host: parsed.hostname,
        port: parsed.port ? Number(parsed.port) : 3306,
        user: decodeURIComponent(parsed.username || "root"),
        password: decodeURIComponent(parsed.password),
        database: parsed.pathname.replace(/^\//, "") || undefined,
    };
}

export function poolFromUrl(url: string, connectionLimit = LOCAL_POOL_SIZE): mysql.Pool {
    return utcSessions(mysql.createPool({ ...COMMON, ...urlOptions(url), connectionLimit }));
}

/** A single connection that accepts a whole migration file (multiple statements). */
export function migrationConnection(options: mysql.ConnectionOptions): Promise<mysql.Connection> {
    return mysql.createConnection({ ...COMMON, ...options, multipleStatements: true });
}

export interface LambdaDbEnv {
    DB_HOST?: string;
    DB_PORT?: string;
    DB_NAME?: string;
    DB_USER?: string;
    AWS_REGION?: string;
}

export function requireDbEnv(env: LambdaDbEnv): { host: string; port: number; database: string; user: string; region: string } {
    const missing = (["DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "AWS_REGION"] as const).filter((k) => !env[k]);
    if (missing.length) throw new Error(`registry connection not configured: missing ${missing.join(", ")}`);
    return { host: env.DB_HOST!, port: Number(env.DB_PORT), database: env.DB_NAME!, user: env.DB_USER!, region: env.AWS_REGION! };
}

/** TLS verified against the Amazon RDS certificate authorities (mysql2's "Amazon RDS" profile). */
export const RDS_TLS = "Amazon RDS";

export function poolFromLambdaEnv(env: LambdaDbEnv = process.env): mysql.Pool {
    const { host, port, database, user, region } = requireDbEnv(env);
    const signer = new Signer({ hostname: host, port, username: user, region });
    return utcSessions(mysql.createPool({
        ...COMMON,
        host, port, database, user,
        ssl: RDS_TLS,
        connectionLimit: LAMBDA_POOL_SIZE,
        // RDS IAM auth asks for the token in clear text (safe: the session is TLS). Tokens live
        // 15 minutes, so each new connection signs a fresh one.
        authPlugins: { mysql_clear_password: () => async () => Buffer.from(`${await signer.getAuthToken()}\0`) },
    }));
}

/** One pool per Lambda container, reused across invocations (the object survives closure serialization). */
const shared: { pool?: mysql.Pool } = {};

export function lambdaPool(): mysql.Pool {
    shared.pool ??= poolFromLambdaEnv();
    return shared.pool;
}
