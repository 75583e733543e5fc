/**
 * ownerSpans (owner-spans.ts): every deployment of the given serials overlapping [from, to],
 * with several clients, projects and deployments per detector, checked at the exact instants.
 */
import { expect } from "chai";
import fc from "fast-check";
import { withTestDatabase, TestDatabase } from "../../helpers/db";
import * as reg from "../../../functions/registry";
import { MAX_SPAN_SERIALS, ownerSpans } from "../../../functions/registry/owner-spans";
import { buildWorld, rejection, t, World } from "./fixtures";

describe("registry: ownerSpans", () => {
    let db: TestDatabase;
    let w: World;
    /** d1: A survey [Jan, Mar), B survey [Mar, May), A second survey [Jun, open). d2: A survey [Feb, Apr). */
    let deps: reg.Deployment[];
    before(async () => {
        db = await withTestDatabase();
        w = await buildWorld(db.pool);
        const dep = (d: reg.Detector, p: reg.Project, s: reg.Site, startsAt: string, endsAt?: string) =>
            reg.createDeployment(db.pool, { detectorId: d.id, projectId: p.id, siteId: s.id, startsAt: t(startsAt), endsAt: endsAt ? t(endsAt) : undefined, status: "active" });
        deps = [
            await dep(w.d1, w.projectA, w.mine, "2025-01-01T00:00:00Z", "2025-03-01T00:00:00Z"),
            await dep(w.d1, w.projectB, w.tunnel, "2025-03-01T00:00:00Z", "2025-05-01T00:00:00Z"),
            await dep(w.d1, w.projectA2, w.mine, "2025-06-01T00:00:00Z"),
            await dep(w.d2, w.projectA, w.tunnel, "2025-02-01T00:00:00Z", "2025-04-01T00:00:00Z"),
        ];
    });
    after(() => db.drop());

    const clientOf = (d: reg.Deployment) => (d.projectId === w.projectB.id ? w.clientB : w.clientA).id;
    const spanOf = (d: reg.Deployment, serial: string): reg.OwnerSpan => ({
        serial, startsAt: d.startsAt, endsAt: d.endsAt ?? undefined,
        owner: { clientId: clientOf(d), projectId: d.projectId, siteId: d.siteId, deploymentId: d.id, detectorId: d.detectorId },
    });
    const serialOf = (d: reg.Deployment) => (d.detectorId === w.d1.id ? w.d1 : w.d2).serial;

    it("returns every overlapping deployment of each serial, by serial then start, with its owner", async () => {
        const spans = await ownerSpans(db.pool, [w.d2.serial, w.d1.serial, "MD-NOBODY"], t("2024-01-01T00:00:00Z"), t("2026-01-01T00:00:00Z"));
        expect(spans).to.deep.equal([spanOf(deps[0], w.d1.serial), spanOf(deps[1], w.d1.serial), spanOf(deps[2], w.d1.serial), spanOf(deps[3], w.d2.serial)]);
        expect(spans[2].endsAt, "open-ended: undefined, not null").to.equal(undefined);
    });

    it("is [start, end) against a closed [from, to]: agrees with a per-deployment check at any window (property)", async () => {
        const lo = t("2024-12-31T23:59:59.998Z").getTime();
        const hi = t("2025-06-01T00:00:00.002Z").getTime();
        // Windows near the deployments' edges (± 1 ms) as often as anywhere.
        const edges = deps.flatMap((d) => [d.startsAt, d.endsAt].filter((x): x is Date => !!x).flatMap((x) => [-1, 0, 1].map((e) => x.getTime() + e)));
        const instant = fc.oneof(fc.constantFrom(...edges), fc.integer({ min: lo, max: hi }));
        await fc.assert(fc.asyncProperty(instant, instant, async (a, b) => {
            const [from, to] = [new Date(Math.min(a, b)), new Date(Math.max(a, b))];
            const expected = deps.filter((d) => d.startsAt <= to && (!d.endsAt || d.endsAt > from))
                .map((d) => spanOf(d, serialOf(d)))
                .sort((x, y) => x.serial.localeCompare(y.serial) || x.startsAt.getTime() - y.startsAt.getTime());
            expect(await ownerSpans(db.pool, [w.d1.serial, w.d2.serial], from, to)).to.deep.equal(expected);
        }), { numRuns: 40, examples: [[t("2025-03-01T00:00:00Z").getTime(), t("2025-03-01T00:00:00Z").getTime()]] });
    });

    it("at an end instant only the next deployment answers; one ms before, the ending one", async () => {
        const at = (iso: string) => ownerSpans(db.pool, [w.d1.serial], t(iso), t(iso)).then((s) => s.map((x) => x.owner.deploymentId));
        expect(await at("2025-03-01T00:00:00.000Z")).to.deep.equal([deps[1].id]);
        expect(await at("2025-02-28T23:59:59.999Z")).to.deep.equal([deps[0].id]);
        expect(await at("2025-05-01T00:00:00.000Z")).to.deep.equal([]);
        expect(await at("2024-12-31T23:59:59.999Z")).to.deep.equal([]);
    });

    it("refuses bad arguments before querying, at the exact bounds", async () => {
        const from = t("2025-01-01T00:00:00Z");
        expect((await rejection(ownerSpans(db.pool, "MD-9001" as never, from, from))).message).to.equal("serials must be an array");
        const many = (n: number) => Array.from({ length: n }, (_, i) => `MD-${i}`);
        expect((await rejection(ownerSpans(db.pool, many(MAX_SPAN_SERIALS + 1), from, from))).message).to.equal(`at most ${MAX_SPAN_SERIALS} serials per call`);
        expect(await ownerSpans(db.pool, many(MAX_SPAN_SERIALS), from, from)).to.deep.equal([]);
        expect((await rejection(ownerSpans(db.pool, [w.d1.serial], new Date("x"), from))).message).to.equal("from must be a valid date");
        expect((await rejection(ownerSpans(db.pool, [w.d1.serial], from, "2025" as never))).message).to.equal("to must be a valid date");
        expect((await rejection(ownerSpans(db.pool, [w.d1.serial], from, new Date(from.getTime() - 1)))).message).to.equal("to must not be before from");
        expect((await rejection(ownerSpans(db.pool, [w.d1.serial, 7 as never], from, from))).message).to.equal("serials[1] must be a string");
        expect(await ownerSpans(db.pool, [], from, new Date(from.getTime() - 1)).catch((e) => e.message), "dates are checked even for no serials")
            .to.equal("to must not be before from");
        expect(await ownerSpans(db.pool, [], from, from)).to.deep.equal([]);
    });
});
