import { expect } from "chai";
import fc from "fast-check";
import type { Owner } from "../../../functions/registry/types";
import type { OwnerQuery } from "../../../functions/registry/deployments";
import { MAX_OWNER_QUERIES_PER_CALL, resolveOwners } from "../../../functions/inference/routing";

interface Interval { id: string; start: number; end: number }

/** An in-memory registry: non-overlapping [start, end) deployments per detector, counting lookups. */
function fakeRegistry(deployments: Map<string, Interval[]>) {
    const calls: number[] = [];
    const ownerAt = (serial: string, t: number): Owner | undefined => {
        const d = deployments.get(serial)?.find((i) => i.start <= t && t < i.end);
        return d && { clientId: `c-${d.id}`, projectId: `p-${d.id}`, siteId: `s-${d.id}`, deploymentId: d.id, detectorId: serial };
    };
    const ownersAt = async (queries: OwnerQuery[]) => {
        calls.push(queries.length);
        return queries.map((q) => ownerAt((q.detector as { serial: string }).serial, q.at.getTime()));
    };
    return { ownersAt, ownerAt, calls };
}

/** Sorted distinct cut points -> alternating covered/uncovered intervals. */
const layout = fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { maxLength: 8 }).chain((cuts) =>
    fc.array(fc.boolean(), { minLength: cuts.length + 1, maxLength: cuts.length + 1 }).map((covered) => {
        const points = [-1, ...cuts.sort((a, b) => a - b), 10_001];
        return points.slice(1).flatMap((end, i) => (covered[i] ? [{ id: `d${i}`, start: points[i], end }] : []));
    }));

describe("inference: routing readings to owners", () => {
    it("answers exactly what a per-reading lookup would, for any deployment layout", async () => {
        await fc.assert(fc.asyncProperty(
            fc.dictionary(fc.constantFrom("MD-0001", "MD-0002", "MD-0003"), layout, { minKeys: 1 }),
            fc.array(fc.tuple(fc.constantFrom("MD-0001", "MD-0002", "MD-0003"), fc.integer({ min: 0, max: 10_000 })), { minLength: 1, maxLength: 300 }),
            async (layouts, readings) => {
                const registry = fakeRegistry(new Map(Object.entries(layouts)));
                const ownerOf = await resolveOwners(readings.map(([detector, atMs]) => ({ detector, atMs })), registry.ownersAt);
                for (const [detector, atMs] of readings) {
                    expect(ownerOf(detector, atMs)?.deploymentId, `${detector}@${atMs}`).to.equal(registry.ownerAt(detector, atMs)?.deploymentId);
                }
                expect(Math.max(...registry.calls)).to.be.at.most(MAX_OWNER_QUERIES_PER_CALL);
            },
        ));
    });

    it("needs two lookups per detector when one deployment covers the whole file", async () => {
        const registry = fakeRegistry(new Map([["MD-0001", [{ id: "d", start: 0, end: 1e12 }]], ["MD-0002", [{ id: "e", start: 0, end: 1e12 }]]]));
        const readings = Array.from({ length: 86_400 }, (_, i) => ({ detector: i % 2 ? "MD-0001" : "MD-0002", atMs: i * 1000 }));
        await resolveOwners(readings, registry.ownersAt);
        expect(registry.calls).to.deep.equal([4]);
    });

    it("finds a boundary among a day of readings in a few dozen lookups", async () => {
        const registry = fakeRegistry(new Map([["MD-0001", [{ id: "a", start: 0, end: 43_200_500 }, { id: "b", start: 43_200_500, end: 1e12 }]]]));
        const readings = Array.from({ length: 86_400 }, (_, i) => ({ detector: "MD-0001", atMs: i * 1000 }));
        const ownerOf = await resolveOwners(readings, registry.ownersAt);
        expect(ownerOf("MD-0001", 43_200_000)?.deploymentId).to.equal("a");
        expect(ownerOf("MD-0001", 43_201_000)?.deploymentId).to.equal("b");
        expect(registry.calls.reduce((a, b) => a + b, 0)).to.be.at.most(2 + 2 * 17);
    });

    it("refuses a registry answer that does not line up with the questions", async () => {
        const broken = async () => [];
        let error: Error | undefined;
        try {
            await resolveOwners([{ detector: "MD-0001", atMs: 0 }], broken);
        } catch (e) {
            error = e as Error;
        }
        expect(error?.message).to.match(/answered 0 owner lookups for 1/);
    });
});
