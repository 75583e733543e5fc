/**
 * The registry in the local cloud: a real, migrated MariaDB database of its own (uniquely named,
 * dropped at stop) on MDETECT_LOCAL_DB_URL, else MDETECT_TEST_DB_URL, else root@127.0.0.1:3306.
 * The plan's functions reach it through the RDS front (rds-endpoint.ts) as their own database
 * users, signed in locally (db-users.ts). Also the staff side: enrolling a detector (its device key as the registry's certificate) and
 * deploying it at a site, as `mdetect detector provision` and the admin API would.
 */
import { createHash, randomBytes } from "crypto";
import type { Pool } from "mysql2/promise";
import { createDetector, createSite } from "../../../functions/registry/catalog";
import { migrationConnection, poolFromUrl, urlOptions } from "../../../functions/registry/connect";
import { createDeployment, endDeployment, findDetector, listDeployments } from "../../../functions/registry/deployments";
import { registerDeviceCertificate } from "../../../functions/registry/device-identity";
import { loadMigrations } from "../../../functions/registry/load-migrations";
import { migrate } from "../../../functions/registry/migrate";
import { SEED, seed } from "../registry-seed";

export interface LocalOwner { readonly clientId: string; readonly projectId: string; readonly email?: string }

/** Each seeded client with its first project and contact address (where its alert e-mail goes). */
const SEEDED_OWNERS: LocalOwner[] = (() => {
    const rows = (table: string) => SEED.find((s) => s.table === table)!.rows;
    return rows("clients").map((c) => ({
        clientId: String(c.id), projectId: String(rows("projects").find((p) => p.client_id === c.id)!.id),
        ...(c.contact_email ? { email: String(c.contact_email) } : {}),
    }));
})();

/**
 * The plan's client alert subscriptions for a local run (mdetect:clientAlertSubscriptions):
 * each seeded client with a contact address gets its own alerts there; the others get none.
 */
export function localAlertSubscriptions(): string[] {
    return SEEDED_OWNERS.filter((o) => o.email).map((o) => `${o.email}=${o.clientId}`);
}
import { dropDatabaseAndGrants, enableLocalLogins } from "./db-users";

const SERVER_URL = process.env.MDETECT_LOCAL_DB_URL ?? process.env.MDETECT_TEST_DB_URL ?? "mysql://root@127.0.0.1:3306";

export class LocalRegistry {
    private seeded?: Promise<LocalOwner[]>;

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

    /** Lets `users` sign in locally (`appUser` created with the deploy migrator's grants on this database): user -> local account. */
    async enableLogins(users: readonly string[], appUser?: string): Promise<Map<string, string>> {
        const admin = await migrationConnection({ ...urlOptions(SERVER_URL), database: undefined });
        try {
            return await enableLocalLogins(admin, this.name, users, appUser);
        } finally {
            await admin.end();
        }
    }

    /**
     * The seeded clients (registry-seed.ts: fixed ids, so the plan's alert subscriptions and
     * `mdetect local up`'s client token name them), each with its first project.
     */
    owners(): Promise<LocalOwner[]> {
        this.seeded ??= (async () => {
            await seed(this.pool, ["clients", "projects"]);
            return SEEDED_OWNERS;
        })();
        return this.seeded;
    }

    /** The owner every local deployment belongs to unless told otherwise: the first seeded client. */
    async seededOwner(): Promise<LocalOwner> {
        return (await this.owners())[0];
    }

    /** A new site with `serials` deployed there for `owner` (default the first client) from `since` (no end); its id. */
    async deploy(serials: readonly string[], since: Date, keys: Readonly<Record<string, string>> = {}, owner?: LocalOwner): Promise<string> {
        const { projectId } = owner ?? await this.seededOwner();
        const site = await this.site();
        for (const serial of serials) {
            const detector = await createDetector(this.pool, { serial, model: "local", firmware: "1.0.0", status: "deployed" });
            const pem = keys[serial];
            if (pem) {
                const certificateId = createHash("sha256").update(pem).digest("hex");
                await registerDeviceCertificate(this.pool, { detectorId: detector.id, thingName: serial, certificateId, certificatePem: pem });
            }
            await createDeployment(this.pool, { detectorId: detector.id, siteId: site, projectId, startsAt: since, status: "active" });
        }
        return site;
    }

    /** Staff move a detector: its open deployment ends at `at` and one for `owner` (at a new site) starts there. */
    async transfer(serial: string, at: Date, owner: LocalOwner): Promise<string> {
        const detector = await findDetector(this.pool, { serial });
        if (!detector) throw new Error(`no detector ${serial} in the local registry`);
        const deployments = (await Promise.all((await this.owners()).map((o) => listDeployments(this.pool, o.clientId)))).flat();
        const open = deployments.find((d) => d.detectorId === detector.id && !d.endsAt);
        if (!open) throw new Error(`${serial} has no open deployment`);
        await endDeployment(this.pool, open.id, at);
        const site = await this.site();
        await createDeployment(this.pool, { detectorId: detector.id, siteId: site, projectId: owner.projectId, startsAt: at, status: "active" });
        return site;
    }

    private async site(): Promise<string> {
        return (await createSite(this.pool, { name: `Local site ${randomBytes(2).toString("hex")}`, kind: "mine", latitude: -31.95, longitude: 115.86, depthM: 420 })).id;
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
