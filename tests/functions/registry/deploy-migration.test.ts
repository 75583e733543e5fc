import { expect } from "chai";
import { mockedDuring, recordSdkCalls } from "../../helpers/aws-mock";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { withTestDatabase, TestDatabase } from "../../helpers/db";
import { migrationConnection, poolFromUrl, urlOptions } from "../../../functions/registry/connect";
import * as reg from "../../../functions/registry";
import { appUserStatements, runDeployMigration, RDS_IAM_AUTH } from "../../../functions/registry/deploy-migration";
import { launchMigration } from "../../../functions/registry/migration-launcher";
import { loadMigrations } from "../../../functions/registry/load-migrations";

describe("registry: deploy-time migration", () => {
    describe("migrator (in the VPC)", () => {
        let db: TestDatabase;
        const user = `mdapp_${Date.now().toString(36)}`;
        before(async () => { db = await withTestDatabase({ migrated: false }); });
        after(async () => {
            await db.pool.query(`DROP USER IF EXISTS '${user}'@'%'`);
            await db.drop();
        });

        const server = () => urlOptions(db.url);
        const env = () => ({ DB_HOST: server().host, DB_PORT: String(server().port), DB_NAME: db.name, APP_USER: user });
        // The local server has no AWSAuthenticationPlugin: a password stands in for the IAM clause.
        const localAuth = "IDENTIFIED BY 'local-only'";
        const run = () => runDeployMigration({ username: server().user, password: server().password ?? "" }, env(), loadMigrations(),
            (o) => migrationConnection(o), localAuth);

        it("migrates, creates the application user with TLS required and DML-only grants, and is idempotent", async () => {
            const first = await run();
            const all = loadMigrations();
            expect(first).to.deep.equal({ applied: all.map((m) => `${m.version}_${m.name}`), current: all[all.length - 1].version, appUser: user });
            const second = await run();
            expect(second.applied).to.deep.equal([]);
            const [grants] = await db.pool.query<any[]>(`SHOW GRANTS FOR '${user}'@'%'`);
            const text = grants.map((g) => Object.values(g)[0]).join("\n");
            expect(text).to.include(`GRANT SELECT, INSERT, UPDATE ON \`${db.name}\`.* TO \`${user}\`@\`%\``);
            expect(text).to.not.match(/DELETE|DROP|ALTER|ALL PRIVILEGES/);
            const [[tls]] = await db.pool.query<any[]>("SELECT ssl_type FROM mysql.user WHERE user = ?", [user]);
            expect(tls.ssl_type).to.equal("ANY");
        });

        it("grants the application user enough for every DAL operation, and no DELETE or DDL", async () => {
            await run();
            // This server has no TLS: lift REQUIRE SSL here only, to log in as the application user.
            await db.pool.query(`ALTER USER '${user}'@'%' REQUIRE NONE`);
            const url = new URL(db.url);
            url.username = user;
            url.password = "local-only";
            const app = poolFromUrl(url.toString(), 2);
            try {
                const client = await reg.createClient(app, { name: "Grant check" });
                const project = await reg.createProject(app, { clientId: client.id, name: "p" });
                const site = await reg.createSite(app, { name: "s", kind: "mine", latitude: 0, longitude: 0 });
                const detector = await reg.createDetector(app, { serial: "MD-0777", model: "m", firmware: "f" });
                const at = new Date("2025-01-01T00:00:00Z");
                const deployment = await reg.createDeployment(app, { detectorId: detector.id, siteId: site.id, projectId: project.id, startsAt: at });
                expect(await reg.createDeployment(app, { detectorId: detector.id, siteId: site.id, projectId: project.id, startsAt: at }).catch((e) => e))
                    .to.be.instanceOf(reg.OverlappingDeploymentError);
                expect((await reg.ownerAt(app, { serial: "MD-0777" }, at))?.deploymentId).to.equal(deployment.id);
                await reg.endDeployment(app, deployment.id, new Date("2025-02-01T00:00:00Z"));
                const denied = await app.query("DELETE FROM clients WHERE id = ?", [client.id]).catch((e) => e);
                expect(denied.code).to.equal("ER_TABLEACCESS_DENIED_ERROR");
                const ddl = await app.query("DROP TABLE findings").catch((e) => e);
                expect(ddl.code).to.equal("ER_TABLEACCESS_DENIED_ERROR");
            } finally {
                await app.end();
            }
        });

        it("refuses events without credentials and identifiers that would inject DDL", async () => {
            const noCreds = await runDeployMigration({}, env(), loadMigrations()).catch((e) => e.message);
            expect(noCreds).to.equal("migrator expects { username, password } from the launcher");
            const bad = await runDeployMigration({ username: "u", password: "p" }, { ...env(), APP_USER: "x'@'%'; DROP DATABASE y; --" }, loadMigrations())
                .catch((e) => e.message);
            expect(bad).to.match(/APP_USER must match/);
            expect(() => appUserStatements("ok_user", "db`; DROP")).to.throw(/database name must match/);
        });

        it("uses the IAM authentication clause AWS documents for MariaDB", () => {
            expect(RDS_IAM_AUTH).to.equal("IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'");
            expect(appUserStatements("mdetect_app", "mdetect")[0]).to.equal("CREATE USER IF NOT EXISTS 'mdetect_app'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'");
        });
    });

    describe("launcher (outside the VPC)", () => {
        recordSdkCalls("registry-migrate-launcher");
        const secrets = mockedDuring(SecretsManagerClient);
        const lambda = mockedDuring(LambdaClient);
        const args = () => ({ secrets: new SecretsManagerClient({ region: "ap-southeast-2" }), lambda: new LambdaClient({ region: "ap-southeast-2" }), secretArn: "arn:secret", migratorName: "migrator" });
        const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as never;

        it("passes the master credentials to the migrator and returns only its report", async () => {
            secrets().on(GetSecretValueCommand, { SecretId: "arn:secret" }).resolves({ SecretString: JSON.stringify({ username: "admin", password: "s3cr3t!" }) });
            lambda().on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ applied: ["1_registry"], current: 1, appUser: "mdetect_app" }) });
            const report = await launchMigration(args());
            expect(report).to.deep.equal({ applied: ["1_registry"], current: 1, appUser: "mdetect_app" });
            const call = lambda().commandCalls(InvokeCommand)[0].args[0].input;
            expect(call).to.include({ FunctionName: "migrator", InvocationType: "RequestResponse" });
            expect(JSON.parse(Buffer.from(call.Payload as Uint8Array).toString())).to.deep.equal({ username: "admin", password: "s3cr3t!" });
            expect(JSON.stringify(report)).to.not.include("s3cr3t");
        });

        it("fails the deploy with the migrator's message when a migration fails", async () => {
            secrets().on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: "admin", password: "pw" }) });
            lambda().on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: "Unhandled", Payload: payload({ errorMessage: "migration 2 (x) failed: boom" }) });
            const err = await launchMigration(args()).catch((e) => e.message);
            expect(err).to.equal("schema migration failed: migration 2 (x) failed: boom");
        });

        it("refuses a secret without credentials, invoking nothing", async () => {
            secrets().on(GetSecretValueCommand).resolves({ SecretString: "{}" });
            expect(await launchMigration(args()).catch((e) => e.message)).to.equal("the master secret has no username/password");
            expect(lambda().commandCalls(InvokeCommand)).to.have.length(0);
        });
    });
});
