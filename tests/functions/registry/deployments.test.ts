/**
 * deployments.ts: ending a deployment at the exact instants, unknown and malformed ids, field-naming
 * refusals, a clash starting at the same instant, and ownersAt at deployment edges in one batch.
 */
import { expect } from "chai";
import type { TestDatabase } from "../../helpers/db";
import * as reg from "../../../functions/registry";
import { worldPerSuite, rejection, t, World } from "./fixtures";

const NOBODY = "00000000-0000-4000-8000-000000000000";
const ms = (d: Date, by: number) => new Date(d.getTime() + by);

describe("registry: deployments", () => {
    let db: TestDatabase;
    let w: World;
    let serial = 7200;
    worldPerSuite((made) => ({ db, w } = made));

    const detector = () => reg.createDetector(db.pool, { serial: `MD-${serial++}`, model: "m", firmware: "f" });
    const deploy = async (d: reg.Detector, startsAt: Date, endsAt?: Date) =>
        reg.createDeployment(db.pool, { detectorId: d.id, siteId: w.mine.id, projectId: w.projectA.id, startsAt, endsAt, status: "active" });

    it("ends a deployment strictly after its start, and never later than an end it already has", async () => {
        const start = t("2025-01-01T00:00:00Z");
        const open = await deploy(await detector(), start);
        expect((await rejection(reg.endDeployment(db.pool, open.id, start))).message).to.equal("a deployment must end after it starts");
        expect((await rejection(reg.endDeployment(db.pool, open.id, new Date("x")))).message).to.equal("end time must be a valid date");
        const ended = await reg.endDeployment(db.pool, open.id, ms(start, 2));
        expect(ended).to.deep.include({ endsAt: ms(start, 2), status: "retrieved" });
        expect((await rejection(reg.endDeployment(db.pool, open.id, ms(start, 3)))).message).to.equal("the deployment already ended earlier");
        expect((await reg.endDeployment(db.pool, open.id, ms(start, 2))).endsAt, "again at the same instant").to.deep.equal(ms(start, 2));
        expect((await reg.endDeployment(db.pool, open.id, ms(start, 1))).endsAt, "earlier, still after the start").to.deep.equal(ms(start, 1));
    });

    it("an unknown deployment is not_found; a malformed id names it", async () => {
        for (const call of [(id: string) => reg.getDeployment(db.pool, id), (id: string) => reg.updateDeployment(db.pool, id, { status: "active" }),
            (id: string) => reg.endDeployment(db.pool, id, new Date())]) {
            const err = await rejection(call(NOBODY));
            expect([err.code, err.message]).to.deep.equal(["not_found", "deployment not found"]);
            expect((await rejection(call("d-1"))).message).to.equal("deployment id must be a UUID");
        }
    });

    it("createDeployment names each bad field", async () => {
        const d = await detector();
        const valid: reg.DeploymentInput = { detectorId: d.id, siteId: w.mine.id, projectId: w.projectA.id, startsAt: t("2026-01-01T00:00:00Z") };
        const cases: [Partial<reg.DeploymentInput>, string][] = [
            [{ detectorId: "x" }, "detector id must be a UUID"], [{ siteId: "x" }, "site id must be a UUID"], [{ projectId: "x" }, "project id must be a UUID"],
            [{ startsAt: "2026" as never }, "startsAt must be a valid date"], [{ endsAt: new Date("x") }, "endsAt must be a valid date"],
            [{ zenithDeg: Number.NaN }, "zenithDeg must be a finite number"], [{ azimuthDeg: "1" as never }, "azimuthDeg must be a finite number"],
        ];
        for (const [over, message] of cases) expect((await rejection(reg.createDeployment(db.pool, { ...valid, ...over }))).message).to.equal(message);
        expect(await reg.createDeployment(db.pool, valid)).to.deep.include({ zenithDeg: 0, azimuthDeg: 0, status: "planned", endsAt: null });
    });

    it("a clash starting at the same instant cannot be ended to make room: the message says to pick another period", async () => {
        const d = await detector();
        const start = t("2025-02-01T00:00:00Z");
        const first = await deploy(d, start);
        const err = await rejection(deploy(d, start, ms(start, 1000)));
        expect(err.code).to.equal("overlapping_deployment");
        expect(err.message).to.match(/choose a period that does not overlap it$/).and.not.match(/PATCH/);
        expect((err as reg.OverlappingDeploymentError).clash?.deploymentId).to.equal(first.id);
        expect((await rejection(deploy(d, ms(start, 1)))).message, "one ms later it can").to.match(/PATCH/);
    });

    it("ownersAt answers each pair from its own deployment at the edges, whatever order the rows come in", async () => {
        const edge = t("2025-03-01T00:00:00Z");
        // Many detectors, each [edge - 1 day, edge) then [edge, open): one batch asks all at edge - 1 ms, edge and edge + 1 ms.
        const fleet = await Promise.all(Array.from({ length: 8 }, () => detector()));
        const spans = [];
        for (const d of fleet) spans.push([await deploy(d, ms(edge, -86_400_000), edge), await deploy(d, edge)]);
        const pairs = fleet.flatMap((d) => [-1, 0, 1, -86_400_000 - 1].map((by) => ({ detector: { serial: d.serial }, at: ms(edge, by) })));
        const owners = await reg.ownersAt(db.pool, pairs);
        expect(owners.map((o) => o?.deploymentId)).to.deep.equal(spans.flatMap(([before, after]) => [before.id, after.id, after.id, undefined]));
    });

    it("ownersAt: refusals, and exactly MAX_OWNER_BATCH pairs accepted", async () => {
        expect((await rejection(reg.ownersAt(db.pool, {} as never))).message).to.equal("pairs must be an array");
        expect((await rejection(reg.ownersAt(db.pool, Array.from({ length: reg.MAX_OWNER_BATCH + 1 }, () => ({ detector: { id: w.d1.id }, at: new Date() })))))
            .message).to.equal(`at most ${reg.MAX_OWNER_BATCH} pairs per call`);
        const full = await reg.ownersAt(db.pool, Array.from({ length: reg.MAX_OWNER_BATCH }, () => ({ detector: { serial: w.d2.serial }, at: new Date() })));
        expect(full).to.have.length(reg.MAX_OWNER_BATCH);
        expect((await rejection(reg.ownersAt(db.pool, [{ detector: { id: w.d1.id }, at: new Date() }, { detector: { id: w.d1.id }, at: "now" as never }])))
            .message).to.equal("pairs[1].at must be a valid date");
        expect((await rejection(reg.ownersAt(db.pool, [null as never]))).message).to.equal("detector must be { id } or { serial }");
    });

    it("lists a client's detectors, and names a malformed client id or cutoff", async () => {
        expect((await rejection(reg.listDetectors(db.pool, "c"))).message).to.equal("client id must be a UUID");
        expect((await rejection(reg.listDeployments(db.pool, "c"))).message).to.equal("client id must be a UUID");
        expect((await rejection(reg.activeDeploymentsWithoutDataSince(db.pool, new Date("x")))).message).to.equal("cutoff must be a valid date");
    });
});
