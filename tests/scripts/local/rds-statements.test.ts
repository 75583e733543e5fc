/**
 * The meter's registry queries: the RDS front counts the statements each session sends
 * (mysql-wire.ts StatementCounter), checked against MariaDB's own count for that same proxied
 * session (`SHOW SESSION STATUS LIKE 'Questions'`), whatever mix of plain queries, prepared
 * statements (prepare not counted, each execute counted), pings and large statements (split over
 * many TLS records) the session sends.
 */
import { expect } from "chai";
import fc from "fast-check";
import { frame, StatementCounter } from "../../../scripts/lib/local/mysql-wire";
import { FrontFixture, READ_USER, signIn, startFront } from "./rds-fixtures";

type Step = { kind: "query" | "execute" | "prepared-again" | "ping"; n: number } | { kind: "large"; bytes: number };

const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constantFrom("query" as const, "execute" as const, "prepared-again" as const, "ping" as const), n: fc.integer({ min: 0, max: 1000 }) }),
    fc.record({ kind: fc.constant("large" as const), bytes: fc.integer({ min: 20_000, max: 200_000 }) }),
);

describe("local RDS front: statements counted as MariaDB counts them", function () {
    let f: FrontFixture;
    before(async () => { f = await startFront(); });
    after(async () => { f.front.onStatements = undefined; await f?.stop(); });

    it("every session's count equals MariaDB's Questions for it, and the hook saw each one", async function () {
        this.timeout(120_000);
        let hooked = 0;
        f.front.onStatements = (n) => { hooked += n; };
        let run = 0;
        await fc.assert(fc.asyncProperty(fc.array(step, { maxLength: 12 }), async (steps) => {
            const label = `statements-${run++}`;
            const conn = await signIn(f, f.session(label, [READ_USER]), READ_USER);
            const hookedBefore = hooked;
            try {
                for (const s of steps) {
                    if (s.kind === "query") await conn.query("SELECT ? AS n", [s.n]);
                    else if (s.kind === "execute") await conn.execute(`SELECT ? + ${s.n} AS n`, [s.n]);
                    else if (s.kind === "prepared-again") await conn.execute("SELECT ? AS again", [s.n]);
                    else if (s.kind === "ping") await conn.ping();
                    else if (s.kind === "large") await conn.query("SELECT LENGTH(?) AS bytes", ["x".repeat(s.bytes)]);
                }
                const [rows] = await conn.query<any[]>("SHOW SESSION STATUS LIKE 'Questions'");
                const session = f.front.connections.filter((c) => c.caller === label && c.ok);
                expect(session, label).to.have.length(1);
                expect(session[0].statements, JSON.stringify(steps)).to.equal(Number(rows[0].Value));
                expect(hooked - hookedBefore).to.equal(session[0].statements);
            } finally {
                await conn.end();
            }
        }), { numRuns: 15 });
    });

    it("the counter finds a command's first byte wherever the stream is cut", () => {
        // Packets as a client sends them: commands (sequence id 0) and continuations (later ids) whose first byte looks like a command.
        const packet = fc.record({ seq: fc.integer({ min: 0, max: 3 }), command: fc.constantFrom(0x03, 0x17, 0x16, 0x0e, 0x01, 0x19), body: fc.uint8Array({ maxLength: 40 }) });
        fc.assert(fc.property(fc.array(packet, { maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }), (packets, cuts) => {
            const bytes = Buffer.concat(packets.map((p) => frame(p.seq, Buffer.concat([Buffer.from([p.command]), p.body]))));
            const counter = new StatementCounter();
            let counted = 0;
            for (let at = 0, i = 0; at < bytes.length; i++) {
                const size = cuts[i % cuts.length];
                counted += counter.feed(bytes.subarray(at, at + size));
                at += size;
            }
            expect(counted).to.equal(packets.filter((p) => p.seq === 0 && (p.command === 0x03 || p.command === 0x17)).length);
        }));
    });
});
