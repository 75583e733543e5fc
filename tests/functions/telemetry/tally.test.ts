import { expect } from "chai";
import fc from "fast-check";
import { RAW_PREVIEW_CHARS } from "../../../functions/telemetry";
import { Tally } from "../../../functions/telemetry/tally";
import { line, reading } from "./fixtures";

/** Instants around 12:00:05 written at several precisions: equal instants of different widths, and widths whose string order is not time order. */
const TIMES = ["2024-05-01T12:00:05Z", "2024-05-01T12:00:05.000Z", "2024-05-01T12:00:05.5Z", "2024-05-01T12:00:05.500Z", "2024-05-01T12:00:04.999Z", "2024-05-01T12:00:06Z", "2024-05-01T12:00:04Z", "2024-05-01T12:00:05.25Z"];

describe("functions/telemetry: Tally (rows, quarantine entries and the manifest's summary)", () => {
    it("quarantine keeps the raw text up to RAW_PREVIEW_CHARS characters, exactly", () => {
        const tally = new Tally();
        for (const length of [1, RAW_PREVIEW_CHARS - 1, RAW_PREVIEW_CHARS, RAW_PREVIEW_CHARS + 1, 3 * RAW_PREVIEW_CHARS]) {
            tally.text(length, "#".repeat(length - 1) + "x");
        }
        expect(tally.takeQuarantined().map((q) => q.raw.length)).to.deep.equal([1, RAW_PREVIEW_CHARS - 1, RAW_PREVIEW_CHARS, RAW_PREVIEW_CHARS, RAW_PREVIEW_CHARS]);
        expect(tally.quarantined).to.deep.equal([]);
    });

    it("malformed JSON is quarantined with JSON.parse's own message", () => {
        const tally = new Tally();
        tally.text(7, "{\"seq\": }");
        let message = "";
        try { JSON.parse("{\"seq\": }"); } catch (err) { message = (err as Error).message; }
        expect(tally.takeQuarantined()).to.deep.equal([{ line: 7, kind: "malformed-json", reason: `malformed JSON: ${message}`, raw: "{\"seq\": }" }]);
    });

    it("a gate's refusal quarantines with its kind and reason, and does not shadow the admitted reading with the same seq", () => {
        const tally = new Tally((r) => (r.muon_count === 0 ? { kind: "identity-mismatch", reason: "not deployed here" } : undefined));
        const refused = line(reading({ seq: 3, muon_count: 0 }));
        tally.text(1, refused);
        tally.text(2, line(reading({ seq: 3, muon_count: 5 })));
        expect(tally.takeQuarantined()).to.deep.equal([{ line: 1, kind: "identity-mismatch", reason: "not deployed here", raw: refused }]);
        expect(tally.takeRows().map((r) => r.muon_count)).to.deep.equal([5]);
        expect(tally).to.include({ rowsIn: 2, rowsOut: 1, rowsQuarantined: 1 });
        expect(tally.reasons).to.deep.equal({ "identity-mismatch": 1 });
    });

    it("first/last timestamp: earliest and latest instant of the converted rows, the first seen on ties, any precision (property)", () => {
        fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...TIMES), fc.boolean()), { minLength: 1, maxLength: 12 }), (items) => {
            const tally = new Tally();
            items.forEach(([timestamp, valid], seq) => tally.text(seq + 1, line(reading({ seq, timestamp, zenith_deg: valid ? 10 : 91 }))));
            const kept = items.filter(([, valid]) => valid).map(([t]) => t);
            const first = kept.reduce<string | null>((a, t) => (a === null || Date.parse(t) < Date.parse(a) ? t : a), null);
            const last = kept.reduce<string | null>((a, t) => (a === null || Date.parse(t) > Date.parse(a) ? t : a), null);
            expect({ first: tally.firstTimestamp, last: tally.lastTimestamp }).to.deep.equal({ first, last });
        }), { numRuns: 300 });
    });
});
