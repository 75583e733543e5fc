import { expect } from "chai";
import fc from "fast-check";
import type { Pool } from "mysql2/promise";
import { query, requireCount, requireDetectorRef, requireId, requireNumber, requireText } from "../../../functions/registry/db";

/** A pool whose query fails with the given errnos in turn, then answers `rows`; counts the calls. */
function failingPool(errnos: number[], rows: unknown[] = [{ n: 1 }]) {
    const calls: unknown[][] = [];
    const pool = { query: async (...args: unknown[]) => {
        calls.push(args);
        const errno = errnos[calls.length - 1];
        if (errno !== undefined) throw Object.assign(new Error(`errno ${errno}`), { errno });
        return [rows, []];
    } } as unknown as Pool;
    return { pool, calls };
}

const code = (f: () => unknown) => { try { f(); return "none"; } catch (e) { return `${(e as Error & { code: string }).code}: ${(e as Error).message}`; } };

describe("registry db: query retries and input checks", () => {
    it("retries a deadlock or lock wait at most twice more (three attempts), then answers unavailable", async () => {
        for (const errnos of [[1213], [1205, 1213]]) {
            const { pool, calls } = failingPool(errnos);
            expect(await query(pool, "SELECT 1")).to.deep.equal([{ n: 1 }]);
            expect(calls).to.have.length(errnos.length + 1);
            expect(calls[0]).to.deep.equal(["SELECT 1", []]);
        }
        const { pool, calls } = failingPool([1213, 1213, 1213]);
        const err = await query(pool, "SELECT 1").then(() => undefined, (e) => e);
        expect({ code: err.code, calls: calls.length }).to.deep.equal({ code: "unavailable", calls: 3 });
    });

    it("does not retry other errors", async () => {
        const { pool, calls } = failingPool([1062]);
        const err = await query(pool, "INSERT").then(() => undefined, (e) => e);
        expect({ code: err.code, calls: calls.length }).to.deep.equal({ code: "duplicate", calls: 1 });
    });

    it("checks each input kind with its own message", () => {
        expect(code(() => requireId(5, "site id"))).to.equal("invalid_argument: site id must be a UUID");
        expect(code(() => requireText(5, "name"))).to.equal("invalid_argument: name must be a string");
        expect(code(() => requireNumber("1", "score"))).to.equal("invalid_argument: score must be a finite number");
        expect(code(() => requireNumber(Infinity, "score"))).to.equal("invalid_argument: score must be a finite number");
        fc.assert(fc.property(fc.oneof(fc.integer({ min: -5, max: -1 }), fc.double({ min: 0.1, max: 9, noInteger: true }), fc.constant(2 ** 53)), (v) => {
            expect(code(() => requireCount(v, "rows"))).to.equal("invalid_argument: rows must be a non-negative integer");
        }));
        expect(requireCount(0, "rows")).to.equal(0);
        expect(requireCount(2 ** 53 - 1, "rows")).to.equal(2 ** 53 - 1);
    });

    it("accepts a detector ref with exactly one of id and serial", () => {
        const id = "0b5b8e6e-3b7a-4c36-9a59-6f2e1f0c9d11";
        expect(requireDetectorRef({ id })).to.deep.equal({ id });
        expect(requireDetectorRef({ serial: "MD-1" })).to.deep.equal({ serial: "MD-1" });
        expect(code(() => requireDetectorRef({ id: "x" }))).to.equal("invalid_argument: detector id must be a UUID");
        expect(code(() => requireDetectorRef({ serial: 5 }))).to.equal("invalid_argument: detector serial must be a string");
        for (const bad of [null, undefined, "MD-1", {}, { id, serial: "MD-1" }]) {
            expect(code(() => requireDetectorRef(bad)), JSON.stringify(bad)).to.equal("invalid_argument: detector must be { id } or { serial }");
        }
    });
});
