/**
 * The registry in the local cloud: a real, migrated MariaDB database of its own (uniquely named,
 * dropped at stop) on MDETECT_LOCAL_DB_URL, else MDETECT_TEST_DB_URL, else root@127.0.0.1:3306.
 * The plan's functions reach it through the RDS front (rds-endpoint.ts) as their own database
 * users, signed in locally (db-users.ts). Also the staff side: enrolling a detector (its device key as the registry's certificate) and
 * deploying it at a site, as `mdetect detector provision` and the admin API would.
 */
import { createHash, randomBytes } from "crypto";
import type { Pool } from "mysql2/promise";
import { createClient, createDetector, createProject, createSite } from "../../../functions/registry/catalog";
import { migrationConnection, poolFromUrl, urlOptions } from "../../../functions/registry/connect";
import { createDeployment } from "../../../functions/registry/deployments";
import { registerDeviceCertificate } from "../../../functions/registry/device-identity";
import { loadMigrations } from "../../../functions/registry/load-migrations";
import { migrate } from "../../../functions/registry/migrate";
import { dropDatabaseAndGrants, enableLocalLogins } from "./db-users";

const SERVER_URL = process.env.MDETECT_LOCAL_DB_URL ?? process.env.MDETECT_TEST_DB_URL ?? "mysql://root@127.0.0.1:3306";

export class LocalRegistry {
    private owner?: Promise<{ clientId: string; projectId: string }>;

    private constructor(readonly name: string, readonly pool: Pool) {}

    static async create(): Promise<LocalRegistry> {
        const name = `mdetect_local_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
        const admin = await migrationConnection({ ...urlOptions(SERVER_URL), database: undefined });
        try {
            await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
            await admin.query(`USE \`${name}\``);
            await migrate(admin, loadMigrations());
        } finally {
            await admin.end();
        }
        const url = new URL(SERVER_URL);
        url.pathname = `/${name}`;
        return new LocalRegistry(name, poolFromUrl(url.toString()));
    }

    /** The MariaDB server the database is on (what the RDS front splices to). */
    get server(): { host: string; port: number } {
        const { host, port } = urlOptions(SERVER_URL);
        return { host: host ?? "127.0.0.1", port: port ?? 3306 };
    }

    /** Lets `users` sign in locally (`appUser` created with the deploy migrator's grants on this database). */
    async enableLogins(users: readonly string[], appUser?: string): Promise<void> {
        const admin = await migrationConnection({ ...urlOptions(SERVER_URL), database: undefined });
        try {
            await enableLocalLogins(admin, this.name, users, appUser);
        } finally {
            await admin.end();
        }
    }

    /** The seeded client and project every local deployment belongs to. */
    seededOwner(): Promise<{ clientId: string; projectId: string }> {
        this.owner ??= (async () => {
            const client = await createClient(this.pool, { name: "Local client" });
            const project = await createProject(this.pool, { clientId: client.id, name: "Local project" });
            return { clientId: client.id, projectId: project.id };
        })();
        return this.owner;
    }

    /** A new site with `serials` deployed there from `since` (no end); its id. */
    async deploy(serials: readonly string[], since: Date, keys: Readonly<Record<string, string>> = {}): Promise<string> {
        const { projectId } = await this.seededOwner();
        const site = await createSite(this.pool, { name: `Local site ${randomBytes(2).toString("hex")}`, kind: "mine", latitude: -31.95, longitude: 115.86, depthM: 420 });
        for (const serial of serials) {
            const detector = await createDetector(this.pool, { serial, model: "local", firmware: "1.0.0", status: "deployed" });
            const pem = keys[serial];
            if (pem) {
                const certificateId = createHash("sha256").update(pem).digest("hex");
                await registerDeviceCertificate(this.pool, { detectorId: detector.id, thingName: serial, certificateId, certificatePem: pem });
            }
            await createDeployment(this.pool, { detectorId: detector.id, siteId: site.id, projectId, startsAt: since });
        }
        return site.id;
    }

    async stop(): Promise<void> {
        await this.pool.end();
        const admin = await migrationConnection({ ...urlOptions(SERVER_URL), database: undefined });
        try {
            await dropDatabaseAndGrants(admin, this.name);
        } finally {
            await admin.end();
        }
    }
}
