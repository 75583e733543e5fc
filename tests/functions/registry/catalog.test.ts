/**
 * catalog.ts (create/update/read, refusals naming the field), client-catalog.ts (lists scoped to
 * one client) and staff-catalog.ts (every row), over the fixtures' two clients.
 */
import { expect } from "chai";
import type { TestDatabase } from "../../helpers/db";
import * as reg from "../../../functions/registry";
import { listClientDeployments, listProjects, listSites } from "../../../functions/registry/client-catalog";
import { listAllDeployments, listAllDetectors, listAllSites } from "../../../functions/registry/staff-catalog";
import { worldPerSuite, rejection, t, World } from "./fixtures";

const NOBODY = "00000000-0000-4000-8000-000000000000";

describe("registry: catalog", () => {
    let db: TestDatabase;
    let w: World;
    let deps: reg.Deployment[];
    let unused: reg.Site;
    worldPerSuite((made) => ({ db, w } = made));
    before(async () => {
        unused = await reg.createSite(db.pool, { name: "Adit 0", kind: "other", latitude: 1, longitude: 2 });
        const dep = (d: reg.Detector, p: reg.Project, s: reg.Site, startsAt: string, endsAt?: string) =>
            reg.createDeployment(db.pool, { detectorId: d.id, projectId: p.id, siteId: s.id, startsAt: t(startsAt), endsAt: endsAt ? t(endsAt) : undefined, zenithDeg: 12.5, azimuthDeg: 270 });
        deps = [
            await dep(w.d1, w.projectA, w.mine, "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z"),
            await dep(w.d1, w.projectB, w.tunnel, "2025-02-01T00:00:00Z"),
            await dep(w.d2, w.projectA2, w.mine, "2025-03-01T00:00:00Z"),
        ];
    });

    const withSite = (d: reg.Deployment) => ({ ...d, siteName: d.siteId === w.mine.id ? w.mine.name : w.tunnel.name });

    describe("client lists: only the client's rows", () => {
        it("projects, by name", async () => {
            expect(await listProjects(db.pool, w.clientA.id)).to.deep.equal([w.projectA2, w.projectA].map(({ id, name, description }) => ({ id, name, description })));
            expect(await listProjects(db.pool, w.clientB.id)).to.deep.equal([{ id: w.projectB.id, name: "B survey", description: null }]);
            expect(await listProjects(db.pool, NOBODY)).to.deep.equal([]);
        });

        it("sites its projects were deployed at, by name, with numeric coordinates", async () => {
            expect(await listSites(db.pool, w.clientA.id)).to.deep.equal([w.mine]);
            expect(await listSites(db.pool, w.clientB.id)).to.deep.equal([w.tunnel]);
            expect(w.tunnel).to.deep.include({ latitude: -33.85, longitude: 151.19, depthM: 38 });
            expect(await listSites(db.pool, NOBODY)).to.deep.equal([]);
        });

        it("deployments with their site's name, newest start first", async () => {
            expect(await listClientDeployments(db.pool, w.clientA.id)).to.deep.equal([withSite(deps[2]), withSite(deps[0])]);
            expect(await listClientDeployments(db.pool, w.clientB.id)).to.deep.equal([withSite(deps[1])]);
            expect(deps[0]).to.deep.include({ zenithDeg: 12.5, azimuthDeg: 270, status: "planned" });
        });

        it("refuses a client id that is not a UUID", async () => {
            for (const list of [listProjects, listSites, listClientDeployments]) {
                expect((await rejection(list(db.pool, "client-a"))).message, list.name).to.equal("client id must be a UUID");
            }
        });
    });

    it("staff lists hold every site, detector and deployment", async () => {
        expect(await listAllSites(db.pool)).to.deep.equal([unused, w.mine, w.tunnel]);
        expect(await listAllDetectors(db.pool)).to.deep.equal([w.d1, w.d2]);
        expect(await listAllDeployments(db.pool)).to.deep.equal([deps[2], deps[1], deps[0]].map(withSite));
    });

    describe("create, update, read", () => {
        it("stores optional text as NULL when absent and as given otherwise", async () => {
            expect(w.clientB.contactEmail).to.equal(null);
            expect(w.clientA.contactEmail).to.equal("a@example.com");
            const p = await reg.createProject(db.pool, { clientId: w.clientB.id, name: "described", description: "why" });
            expect(p).to.deep.include({ clientId: w.clientB.id, name: "described", description: "why" });
            expect(w.projectA.description).to.equal(null);
            expect(w.d1).to.deep.include({ status: "in_stock", commissionedAt: null });
        });

        it("updates each kind and reads back the stored row", async () => {
            expect(await reg.updateClient(db.pool, w.clientB.id, { contactEmail: "b@example.com" })).to.deep.equal({ ...w.clientB, contactEmail: "b@example.com" });
            expect(await reg.updateProject(db.pool, w.projectB.id, { description: "d" })).to.deep.equal({ ...w.projectB, description: "d" });
            expect(await reg.updateSite(db.pool, unused.id, { depthM: 5, name: "Adit 1" })).to.deep.equal({ ...unused, depthM: 5, name: "Adit 1" });
            const at = t("2025-01-01T00:00:00Z");
            expect(await reg.updateDetector(db.pool, w.d2.id, { commissionedAt: at })).to.deep.equal({ ...w.d2, commissionedAt: at });
            expect(await reg.getDetector(db.pool, w.d1.id)).to.deep.equal(w.d1);
        });

        it("an unknown id is not_found naming the kind; a malformed one names the id", async () => {
            const cases: [string, (id: string) => Promise<unknown>][] = [
                ["client", (id) => reg.updateClient(db.pool, id, { name: "x" })],
                ["project", (id) => reg.updateProject(db.pool, id, { name: "x" })],
                ["site", (id) => reg.updateSite(db.pool, id, { name: "x" })],
                ["detector", (id) => reg.updateDetector(db.pool, id, { model: "x" })],
                ["detector", (id) => reg.getDetector(db.pool, id)],
            ];
            for (const [what, call] of cases) {
                const missing = await rejection(call(NOBODY));
                expect([missing.code, missing.message], what).to.deep.equal(["not_found", `${what} not found`]);
                expect((await rejection(call("x"))).message, what).to.equal(`${what} id must be a UUID`);
            }
            expect((await rejection(reg.updateProject(db.pool, w.projectA.id, { clientId: w.clientB.id } as never))).message).to.equal("cannot update clientId");
            expect((await rejection(reg.updateDetector(db.pool, w.d1.id, { serial: "MD-1" } as never))).message).to.equal("cannot update serial");
        });

        it("refusals name the field", async () => {
            const cases: [Promise<unknown>, string][] = [
                [reg.createClient(db.pool, { name: 1 as never }), "name must be a string"],
                [reg.createProject(db.pool, { clientId: "x", name: "n" }), "client id must be a UUID"],
                [reg.createProject(db.pool, { clientId: w.clientA.id, name: null as never }), "name must be a string"],
                [reg.createSite(db.pool, { name: 1 as never, kind: "mine", latitude: 0, longitude: 0 }), "name must be a string"],
                [reg.createSite(db.pool, { name: "s", kind: 1 as never, latitude: 0, longitude: 0 }), "kind must be a string"],
                [reg.createSite(db.pool, { name: "s", kind: "mine", latitude: Number.NaN, longitude: 0 }), "latitude must be a finite number"],
                [reg.createSite(db.pool, { name: "s", kind: "mine", latitude: 0, longitude: Infinity }), "longitude must be a finite number"],
                [reg.createSite(db.pool, { name: "s", kind: "mine", latitude: 0, longitude: 0, depthM: "3" as never }), "depthM must be a finite number"],
                [reg.createDetector(db.pool, { serial: "MD-7100", model: 1 as never, firmware: "f" }), "model must be a string"],
                [reg.createDetector(db.pool, { serial: "MD-7101", model: "m", firmware: 1 as never }), "firmware must be a string"],
                [reg.createDetector(db.pool, { serial: "MD-7102", model: "m", firmware: "f", commissionedAt: new Date("x") }), "commissionedAt must be a valid date"],
            ];
            for (const [call, message] of cases) expect((await rejection(call)).message).to.equal(message);
        });
    });
});
