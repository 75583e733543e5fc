import { expect } from "chai";
import fc from "fast-check";
import { gunzipSync } from "zlib";
import Papa from "papaparse";
import { findingsBody, findingsCsv, findingsKey, findingsName, groupFindings, severityOf, FINDINGS_CSV_HEADER, WARNING_MARGIN } from "../../../functions/inference/findings";

const HOUR = 3600_000;
const OWNER = { clientId: "c-1", projectId: "p_2.x" };

describe("inference: findings object names and keys", () => {
    it("names an object after its source's base name, without .csv/.gz, plus 12 hex digits of the source key", () => {
        expect(findingsName("curated/batch/site-upload/dump-2025-03-01.csv.gz")).to.match(/^dump-2025-03-01-[0-9a-f]{12}\.csv\.gz$/);
        expect(findingsName("curated/realtime/2025/03/01/12/stream-1.gz")).to.match(/^stream-1-[0-9a-f]{12}\.csv\.gz$/);
        expect(findingsName("curated/batch/a b/c$d.csv")).to.match(/^c_d-[0-9a-f]{12}\.csv\.gz$/);
        expect(findingsName("curated/batch/c $$ d.csv"), "a run of unsafe characters is one _").to.match(/^c_d-[0-9a-f]{12}\.csv\.gz$/);
        expect(findingsName(`curated/batch/${"x".repeat(200)}.csv.gz`)).to.match(/^x{80}-[0-9a-f]{12}\.csv\.gz$/);
    });

    it("gives the same source the same name and two sources different names, even with one base name (property)", () => {
        const key = fc.array(fc.stringMatching(/^[A-Za-z0-9 ._$-]{1,12}$/), { minLength: 1, maxLength: 4 }).map((parts) => `curated/${parts.join("/")}`);
        fc.assert(fc.property(key, key, (a, b) => {
            const name = findingsName(a);
            expect(name).to.match(/^[A-Za-z0-9._-]{0,80}-[0-9a-f]{12}\.csv\.gz$/);
            expect(findingsName(a)).to.equal(name);
            if (a !== b) expect(findingsName(b)).to.not.equal(name);
        }));
        expect(findingsName("curated/a/x.csv.gz")).to.not.equal(findingsName("curated/b/x.csv.gz"));
    });

    it("keys findings/<client>/<project>/<date>/<HH>/<name>, and findings/unassigned/... without an owner", () => {
        const midnight = Date.parse("2025-03-01T00:00:00Z");
        expect(findingsKey(OWNER, midnight, "n.csv.gz")).to.equal("findings/c-1/p_2.x/2025-03-01/00/n.csv.gz");
        expect(findingsKey(OWNER, midnight + 23 * HOUR, "n.csv.gz")).to.equal("findings/c-1/p_2.x/2025-03-01/23/n.csv.gz");
        expect(findingsKey(undefined, midnight + 24 * HOUR, "n.csv.gz")).to.equal("findings/unassigned/2025-03-02/00/n.csv.gz");
    });

    it("refuses an owner id that could climb out of its prefix or split a segment", () => {
        for (const bad of ["", ".", "..", "a/b", "a b", "c\\d", "%2e"]) {
            expect(() => findingsKey({ clientId: bad, projectId: "p" }, 0, "n"), `client ${JSON.stringify(bad)}`).to.throw(/unsafe key segment/);
            expect(() => findingsKey({ clientId: "c", projectId: bad }, 0, "n"), `project ${JSON.stringify(bad)}`).to.throw(/unsafe key segment/);
        }
        expect(findingsKey({ clientId: "...", projectId: "a.b_c-D9" }, 0, "n")).to.equal("findings/.../a.b_c-D9/1970-01-01/00/n");
    });
});

describe("inference: findings CSV", () => {
    const rows = [
        { detectorId: "MD-1", timestamp: "2025-03-01T12:00:00.000Z", seq: "1", score: 0.8 },
        { detectorId: "MD-1", timestamp: "2025-03-01T12:00:01.000Z", seq: "2", score: 0.75 },
        { detectorId: "MD-2", timestamp: "2025-03-01T12:59:59.999Z", seq: "3", score: 0.1 },
    ];
    const [group] = groupFindings(rows, () => ({ ...OWNER, siteId: "s", deploymentId: "d", detectorId: "x" }), "curated/batch/x.csv.gz", 0.8);

    it("warning starts exactly WARNING_MARGIN below the threshold", () => {
        for (const threshold of [0.5, 0.8, 0.9, 1]) {
            expect(severityOf(threshold - WARNING_MARGIN, threshold), `threshold ${threshold}`).to.equal("warning");
            expect(severityOf(threshold, threshold)).to.equal("alert");
        }
    });

    it("names the registry detector only when the group has exactly one, and lists sites and detectors sorted whatever the row order (property)", () => {
        const owner = (r: { detectorId: string }) => ({ ...OWNER, siteId: `site-${r.detectorId.slice(-1)}`, deploymentId: "d", detectorId: `id-${r.detectorId}` });
        fc.assert(fc.property(fc.shuffledSubarray(rows, { minLength: rows.length }), (shuffled) => {
            const [g] = groupFindings(shuffled, owner, "curated/batch/x.csv.gz", 0.8);
            expect(g.detectorId, "two registry detectors: none named").to.equal(undefined);
            expect(g.siteIds).to.deep.equal(["site-1", "site-2"]);
            expect(g.detectors).to.deep.equal(["MD-1", "MD-2"]);
            const [one] = groupFindings(shuffled.filter((r) => r.detectorId === "MD-2"), owner, "curated/batch/x.csv.gz", 0.8);
            expect(one.detectorId).to.equal("id-MD-2");
        }));
    });

    it("writes the header, then one line per row with its own severity, each line terminated", () => {
        expect(FINDINGS_CSV_HEADER, "the published column order (docs/api.md)").to.equal("detector_id,timestamp,seq,score,severity");
        expect(findingsCsv(group, 0.8)).to.equal([
            "detector_id,timestamp,seq,score,severity",
            "MD-1,2025-03-01T12:00:00.000Z,1,0.8,alert",
            "MD-1,2025-03-01T12:00:01.000Z,2,0.75,warning",
            "MD-2,2025-03-01T12:59:59.999Z,3,0.1,info",
            "",
        ].join("\n"));
        expect(group.detectorId, "one registry detector in the group").to.equal("x");
        expect(group.siteIds).to.deep.equal(["s"]);
    });

    it("the body is the same CSV, gzip, and parses back to every row (property)", () => {
        const row = fc.record({ detectorId: fc.stringMatching(/^MD-[0-9]{4}$/), seq: fc.nat().map(String), score: fc.double({ min: 0, max: 1, noNaN: true }), at: fc.integer({ min: 0, max: HOUR - 1 }) });
        fc.assert(fc.property(fc.array(row, { minLength: 1, maxLength: 20 }), (input) => {
            const scored = input.map((r) => ({ detectorId: r.detectorId, seq: r.seq, score: r.score, timestamp: new Date(Date.UTC(2025, 2, 1, 12) + r.at).toISOString() }));
            const groups = groupFindings(scored, () => undefined, "curated/batch/y.csv.gz", 0.8);
            expect(groups).to.have.length(1);
            const text = gunzipSync(findingsBody(groups[0], 0.8)).toString("utf8");
            expect(text).to.equal(findingsCsv(groups[0], 0.8));
            const parsed = Papa.parse<string[]>(text.trimEnd(), { skipEmptyLines: false });
            expect(parsed.data.slice(1).map((l) => [l[0], l[2], Number(l[3])])).to.deep.equal(scored.map((r) => [r.detectorId, r.seq, r.score]));
            expect(groups[0].detectorId, "no registry detector for unassigned readings").to.equal(undefined);
        }));
    });
});
