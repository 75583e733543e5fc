import { expect } from "chai";
import { poolFromLambdaEnv, requireDbEnv, urlOptions } from "../../../functions/registry/connect";

describe("registry: connections", () => {
    const env = { DB_HOST: "db.example.internal", DB_PORT: "3306", DB_NAME: "mdetect", DB_USER: "mdetect_app", AWS_REGION: "ap-southeast-2" };

    it("names every missing Lambda setting", () => {
        expect(() => requireDbEnv({ DB_HOST: "h" })).to.throw("registry connection not configured: missing DB_PORT, DB_NAME, DB_USER, AWS_REGION");
    });

    it("connects Lambdas over verified TLS with a locally signed, per-connection IAM token (no password)", async () => {
        const saved = { ...process.env };
        Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "example-secret", AWS_SESSION_TOKEN: "" });
        const pool = poolFromLambdaEnv(env);
        try {
            const config = (pool as any).pool.config.connectionConfig;
            expect(config.ssl).to.have.property("ca").that.is.an("array").with.length.greaterThan(0);
            expect(config.password ?? "").to.equal("");
            const token = (await config.authPlugins.mysql_clear_password()()).toString("utf8");
            expect(token).to.match(/^db\.example\.internal:3306\/\?Action=connect&DBUser=mdetect_app&X-Amz-Algorithm=AWS4-HMAC-SHA256&.*X-Amz-Signature=[0-9a-f]{64}.*\0$/);
            expect(token).to.include("ap-southeast-2%2Frds-db%2Faws4_request");
        } finally {
            await pool.end();
            process.env = saved;
        }
    });

    it("parses database URLs and refuses other schemes", () => {
        expect(urlOptions("mysql://app:p%40ss@db:3307/reg")).to.deep.equal({ host: "db", port: 3307, user: "app", password: "p@ss", database: "reg" });
        expect(() => urlOptions("postgres://x/y")).to.throw(/must start with mysql:\/\//);
        expect(() => urlOptions("not a url")).to.throw(/not a database URL/);
    });
});
