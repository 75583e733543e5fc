import { expect } from "chai";
import fc from "fast-check";
import { Chunk, Chunker } from "../../../functions/inference/chunking";
import { MAX_SCORE_LINE_BYTES, PAYLOAD_LIMIT_BYTES, EndpointKind } from "../../../functions/inference/contract";
import { endpointScorer } from "../../../functions/inference/endpoint";
import { scoreRows } from "../../../functions/inference/scoring";
import { SageMakerServer } from "../../../scripts/lib/stand-in-endpoint";
import { CuratedRow } from "../../../functions/inference/curated";
import { asyncRows, expectedScore, rejection, rowsTotalling } from "./fixtures";

function chunkAll(lines: string[], limit: number): Chunk<number>[] {
    const chunker = new Chunker<number>(limit);
    const chunks = lines.map((l, i) => chunker.add(i, l)).filter((c): c is Chunk<number> => c !== undefined);
    const last = chunker.flush();
    return last ? [...chunks, last] : chunks;
}

describe("inference: chunking under the payload limit", () => {
    it("never exceeds the limit, counts UTF-8 bytes exactly and keeps every line in order", () => {
        fc.assert(fc.property(
            fc.array(fc.string({ unit: "grapheme", maxLength: 40 }), { maxLength: 200 }),
            fc.integer({ min: 41 * 4 + 1, max: 2000 }),
            (lines, limit) => {
                const chunks = chunkAll(lines, limit);
                expect(chunks.flatMap((c) => c.items)).to.deep.equal(lines.map((_, i) => i));
                for (const [n, c] of chunks.entries()) {
                    expect(Buffer.byteLength(c.body)).to.equal(c.bytes);
                    expect(c.bytes).to.be.at.most(limit);
                    expect(c.items.length).to.be.at.most(Math.floor(limit / MAX_SCORE_LINE_BYTES));
                    expect(c.body).to.equal(c.items.map((i) => `${lines[i]}\n`).join(""));
                    // Greedy: a chunk closes only when the next line would not fit.
                    const next = chunks[n + 1];
                    if (next) {
                        const nextBytes = Buffer.byteLength(lines[next.items[0]]) + 1;
                        const rowCapped = c.items.length === Math.floor(limit / MAX_SCORE_LINE_BYTES);
                        expect(rowCapped || c.bytes + nextBytes > limit).to.equal(true);
                    }
                }
            },
        ));
    });

    it("caps rows so a response of one score per line fits too", () => {
        const chunks = chunkAll(new Array(100).fill("1"), 10 * MAX_SCORE_LINE_BYTES);
        expect(chunks.map((c) => c.items.length)).to.deep.equal(new Array(10).fill(10));
    });

    it("refuses a single row larger than the limit", () => {
        expect(() => chunkAll(["x".repeat(100)], 100)).to.throw(/101 bytes/).with.property("name", "OversizeRowError");
    });

    it("sends a single row of exactly the limit (its newline included) as one chunk of the limit", () => {
        const chunks = chunkAll(["x".repeat(99 * MAX_SCORE_LINE_BYTES), "y".repeat(99 * MAX_SCORE_LINE_BYTES)], 99 * MAX_SCORE_LINE_BYTES + 1);
        expect(chunks.map((c) => c.bytes)).to.deep.equal([99 * MAX_SCORE_LINE_BYTES + 1, 99 * MAX_SCORE_LINE_BYTES + 1]);
    });

    for (const kind of ["serverless", "instance"] as EndpointKind[]) {
        describe(`${kind} endpoint (${PAYLOAD_LIMIT_BYTES[kind]} bytes)`, () => {
            const limit = PAYLOAD_LIMIT_BYTES[kind];
            let server: SageMakerServer;
            before(async () => { server = await new SageMakerServer({ limitBytes: limit }).start(); });
            after(() => server.stop());
            beforeEach(() => server.reset());

            const score = (rows: CuratedRow[]) => scoreRows(asyncRows(rows),
                endpointScorer({ client: server.client(), endpointName: server.endpointName }), { limitBytes: limit, concurrency: 2 });

            it("sends a body of exactly the limit as one request, which the endpoint accepts", async () => {
                const rows = rowsTotalling(limit, 30_000);
                const result = await score(rows);
                expect(server.invocations).to.deep.equal([{ endpoint: server.endpointName, bytes: limit, rows: rows.length, status: 200 }]);
                expect(result.rows.map((r) => r.score)).to.deep.equal(rows.map(expectedScore));
            });

            it("splits one byte more into two requests, each within the limit", async () => {
                const rows = rowsTotalling(limit + 1, 30_000);
                const result = await score(rows);
                expect(server.invocations).to.have.length(2);
                expect(server.invocations.every((i) => i.status === 200 && i.bytes <= limit)).to.equal(true);
                expect(server.invocations.reduce((n, i) => n + i.bytes, 0)).to.equal(limit + 1);
                expect(result.rows.map((r) => r.seq)).to.deep.equal(rows.map((r) => r.seq));
            });

            it("is refused by the endpoint one byte over the limit (the local check is real), without retries", async () => {
                const body = `${"0".repeat(limit)}\n`;
                const error = await rejection(endpointScorer({ client: server.client(), endpointName: server.endpointName })(body, 1));
                expect(error.name).to.equal("ValidationError");
                expect(server.invocations.map((i) => i.status)).to.deep.equal([413]);
            });
        });
    }
});
