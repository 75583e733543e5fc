import { expect } from "chai";
import fc from "fast-check";
import { MAX_SCORE_LINE_BYTES } from "../../../functions/inference/contract";
import { scoreRows } from "../../../functions/inference/scoring";
import { asyncRows, row } from "./fixtures";

/** Rows per chunk is capped by limit / MAX_SCORE_LINE_BYTES: this limit makes chunks of `perChunk` rows. */
const limitFor = (perChunk: number) => perChunk * MAX_SCORE_LINE_BYTES;
/** One-cell feature lines (2 bytes each), so the row cap, not the byte limit, cuts the chunks. */
const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ ...row(`MD-${String(i % 3).padStart(4, "0")}`, new Date(Date.UTC(2026, 0, 1, 0, 0, i)), i), features: "1" }));
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A scorer that answers each chunk after `delays[call]` ms with the row's seq as its score, counting calls in flight. */
function scorer(delays: number[], failAt = -1) {
    const seen = { calls: 0, inFlight: 0, peak: 0, afterFailure: 0, failed: false };
    const score = async (body: string, count: number): Promise<number[]> => {
        const call = seen.calls++;
        if (seen.failed) seen.afterFailure++;
        seen.inFlight++;
        seen.peak = Math.max(seen.peak, seen.inFlight);
        try {
            await tick(delays[call % delays.length]);
            if (call === failAt) { seen.failed = true; throw new Error(`chunk ${call} refused`); }
            const seqs = body.trimEnd().split("\n").map((_, i) => i);
            expect(seqs).to.have.length(count);
            return seqs.map((i) => call * 1000 + i);
        } finally {
            seen.inFlight--;
        }
    };
    return { seen, score };
}

describe("functions/inference/scoring: chunks scored concurrently", () => {
    it("keeps at most `concurrency` requests in flight, reaches it, and answers every row in input order", async () => {
        await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 30 }),
            fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 6 }), async (concurrency, perChunk, n, delays) => {
                const { seen, score } = scorer(delays);
                const result = await scoreRows(asyncRows(rows(n)), score, { limitBytes: limitFor(perChunk), concurrency });
                const chunks = Math.ceil(n / perChunk);
                expect(result.chunks).to.equal(chunks);
                expect(seen.calls).to.equal(chunks);
                expect(seen.peak).to.be.at.most(concurrency);
                if (chunks >= concurrency && delays.every((d) => d > 0)) expect(seen.peak).to.equal(concurrency);
                expect(result.rows.map((r) => r.seq)).to.deep.equal(rows(n).map((r) => r.seq));
                expect(result.rows.map((r) => r.score)).to.deep.equal(rows(n).map((_, i) => Math.floor(i / perChunk) * 1000 + (i % perChunk)));
            }), { numRuns: 40 });
    });

    it("stops launching chunks after one fails, waits for those in flight, and throws that failure", async () => {
        for (const concurrency of [1, 2, 3]) {
            const { seen, score } = scorer([5, 1, 1], 1);
            let error: unknown;
            try { await scoreRows(asyncRows(rows(40)), score, { limitBytes: limitFor(2), concurrency }); } catch (e) { error = e; }
            expect((error as Error)?.message, `concurrency ${concurrency}`).to.equal("chunk 1 refused");
            expect(seen.afterFailure, `concurrency ${concurrency}`).to.equal(0);
            expect(seen.inFlight, "nothing left running").to.equal(0);
            expect(seen.calls).to.be.lessThan(20);
        }
    });

    it("throws a failure of the last chunk too", async () => {
        const { score } = scorer([1], 2);
        let error: unknown;
        try { await scoreRows(asyncRows(rows(5)), score, { limitBytes: limitFor(2), concurrency: 4 }); } catch (e) { error = e; }
        expect((error as Error)?.message).to.equal("chunk 2 refused");
    });
});
