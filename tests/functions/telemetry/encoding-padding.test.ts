import { expect } from "chai";
import fc from "fast-check";
import { convert, expectConserved, line, reading } from "./fixtures";

const lines = (n: number, from = 1): string => Array.from({ length: n }, (_, i) => line(reading({ seq: from + i }))).join("\n") + "\n";

describe("telemetry: whole-input encodings and NUL padding (checked per chunk, not per reading)", () => {
    it("a UTF-16 file (either byte order, any chunking) is refused as a whole: one entry saying re-save as UTF-8, nothing converted", async () => {
        await fc.assert(fc.asyncProperty(fc.constantFrom("le", "be"), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }), async (order, cuts) => {
            const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines(99), "utf16le")]);
            const bytes = order === "le" ? le : Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le.subarray(2)).swap16()]);
            const { manifest, quarantine } = await convert(bytes, { cuts });
            expectConserved(manifest);
            expect(manifest).to.include({ rowsOut: 0, rowsQuarantined: 1, complete: false });
            expect(manifest.error?.kind).to.equal("wrong-encoding");
            expect(quarantine).to.have.length(1);
            expect(quarantine[0].reason).to.include(order === "le" ? "UTF-16LE" : "UTF-16BE").and.include("re-save it as UTF-8");
            expect(quarantine[0].raw).to.include("\"detector_id\":\"MD-0042\"");
        }), { numRuns: 20 });
    });

    it("also inside gzip, and a UTF-8 BOM is still accepted", async () => {
        const utf16 = await convert(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines(3), "utf16le")]), { gzip: true });
        expect(utf16.manifest.error?.kind).to.equal("wrong-encoding");
        const utf8 = await convert(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines(3))]));
        expect(utf8.manifest).to.include({ rowsOut: 3, rowsQuarantined: 0, complete: true });
    });

    it("NUL padding after a power loss: one nul-padding entry per run, the cut reading quarantined, readings after it still converted", async () => {
        await fc.assert(fc.asyncProperty(
            fc.integer({ min: 1, max: 5000 }), fc.boolean(), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }),
            async (nuls, resumed, cuts) => {
                const before = lines(5);
                const cut = line(reading({ seq: 6 })).slice(0, 40);
                const after = resumed ? lines(4, 7) : "";
                const { manifest, quarantine, csv } = await convert(Buffer.concat([Buffer.from(before + cut), Buffer.alloc(nuls), Buffer.from(after)]), { cuts });
                expectConserved(manifest);
                expect(manifest.rowsOut).to.equal(resumed ? 9 : 5);
                expect(csv.trimEnd().split("\n")).to.have.length(1 + manifest.rowsOut);
                expect(quarantine.map((q) => q.kind)).to.deep.equal(["malformed-json", "nul-padding"]);
                expect(quarantine[1].reason).to.include(`${nuls} NUL bytes`).and.include("power loss");
                expect(quarantine[0].line).to.equal(6);
                expect(manifest.complete).to.equal(true);
            }), { numRuns: 40 });
    });

    it("a file that is only NUL bytes is one padding entry", async () => {
        const { manifest, quarantine } = await convert(Buffer.alloc(4096));
        expectConserved(manifest);
        expect(quarantine.map((q) => q.kind)).to.deep.equal(["nul-padding"]);
    });
});
