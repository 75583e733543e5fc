/** A small registry built through the data-access layer, for the registry tests. */
import { expect } from "chai";
import type { Pool } from "mysql2/promise";
import * as reg from "../../../functions/registry";
import { TestDatabase, withTestDatabase } from "../../helpers/db";

export interface World {
    clientA: reg.Client; clientB: reg.Client;
    projectA: reg.Project; projectA2: reg.Project; projectB: reg.Project;
    mine: reg.Site; tunnel: reg.Site;
    d1: reg.Detector; d2: reg.Detector;
}

export const t = (iso: string): Date => new Date(iso);

export async function buildWorld(pool: Pool): Promise<World> {
    const clientA = await reg.createClient(pool, { name: "Client A", contactEmail: "a@example.com" });
    const clientB = await reg.createClient(pool, { name: "Client B" });
    return {
        clientA, clientB,
        projectA: await reg.createProject(pool, { clientId: clientA.id, name: "A survey" }),
        projectA2: await reg.createProject(pool, { clientId: clientA.id, name: "A second survey" }),
        projectB: await reg.createProject(pool, { clientId: clientB.id, name: "B survey" }),
        mine: await reg.createSite(pool, { name: "Mine 1", kind: "mine", latitude: -31.95, longitude: 141.46, depthM: 780 }),
        tunnel: await reg.createSite(pool, { name: "Tunnel 1", kind: "tunnel", latitude: -33.85, longitude: 151.19, depthM: 38 }),
        d1: await reg.createDetector(pool, { serial: "MD-9001", model: "MuScope 2", firmware: "2.4.1" }),
        d2: await reg.createDetector(pool, { serial: "MD-9002", model: "MuScope 2", firmware: "2.4.1" }),
    };
}

/**
 * A migrated test database holding buildWorld's registry, made before the calling suite's tests
 * and dropped after them. `use` receives both; the suite's own `before` hooks, declared after
 * this call, run after it and see them.
 */
export function worldPerSuite(use: (made: { db: TestDatabase; w: World }) => void): void {
    let db: TestDatabase | undefined;
    before(async () => {
        db = await withTestDatabase();
        use({ db, w: await buildWorld(db.pool) });
    });
    after(() => db?.drop());
}

/**
 * What the Lambda service does with a RequestResponse invoke of the access function: the JSON
 * payload goes to the real handler over the real database, its answer comes back as bytes. A
 * thrown handler error becomes FunctionError, as Lambda reports an unhandled exception.
 */
export function invokeThroughHandler(pool: Pool, handler: (pool: () => Pool, request: unknown) => Promise<unknown>) {
    return async (input: { Payload?: Uint8Array | string }) => {
        const request = JSON.parse(Buffer.from(input.Payload as Uint8Array).toString("utf8"));
        try {
            return { StatusCode: 200, Payload: Buffer.from(JSON.stringify(await handler(() => pool, request))) as never };
        } catch (error) {
            return { StatusCode: 200, FunctionError: "Unhandled", Payload: Buffer.from(JSON.stringify({ errorMessage: String(error) })) as never };
        }
    };
}

/** The registry error a call was refused with (fails the test if it resolved or threw anything else). */
export async function rejection(promise: Promise<unknown>): Promise<reg.RegistryError> {
    const err = await promise.then(() => undefined, (e) => e);
    expect(err, "expected a rejection").to.be.instanceOf(reg.RegistryError);
    return err;
}
