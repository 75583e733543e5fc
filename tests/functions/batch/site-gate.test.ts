/**
 * Batch uploads carry only their site's detectors (issue 14): a file uploaded for a site may
 * hold readings of detectors deployed there at the reading's time; any other reading is
 * quarantined as identity-mismatch and never reaches curated/.
 */
import { expect } from "chai";
import fc from "fast-check";
import Papa from "papaparse";
import { createBatchHandler } from "../../../functions/batch/handler";
import { BatchManifest } from "../../../functions/batch/ingest";
import { DeploymentWindow, siteGate } from "../../../functions/batch/site-gate";
import { Reading } from "../../../functions/telemetry";
import { LocalS3, startLocalS3 } from "../../helpers/s3";
import { ndjson, reading } from "../realtime/fixtures";
import { objectCreated, put, readGzipText } from "./fixtures";

const BUCKET = "lake";
const SITE_A = "0b6f1f4e-4c1a-4d3e-9a51-6a0c2d4e8f10";
const SITE_B = "7d2c9a1b-5e3f-4a6b-8c7d-9e0f1a2b3c4d";
// Readings of fixtures.reading are on 2025-06-01 from 10:00:00 UTC, one per seq second.
const DEPLOYMENTS: Record<string, DeploymentWindow[]> = {
    [SITE_A]: [
        { serial: "MD-0001", startsAt: "2025-01-01T00:00:00Z", endsAt: null },
        // MD-0002 left site A at 10:00:30 (retrieved; later decommissioned).
        { serial: "MD-0002", startsAt: "2025-01-01T00:00:00Z", endsAt: "2025-06-01T10:00:30Z" },
    ],
    // Another client's site.
    [SITE_B]: [{ serial: "MD-0003", startsAt: "2025-01-01T00:00:00Z", endsAt: null }],
};
const asSerial = (r: Record<string, unknown>, detectorId: string) => ({ ...r, detector_id: detectorId });

describe("functions/batch: readings bound to the uploading site", () => {
    let s3: LocalS3;
    let handle: ReturnType<typeof createBatchHandler>;
    const lookups: string[] = [];
    before(async () => {
        s3 = await startLocalS3([BUCKET]);
        handle = createBatchHandler(s3.client, {
            bucket: BUCKET,
            siteDeployments: async (site) => { lookups.push(site); return DEPLOYMENTS[site] ?? []; },
        });
    });
    after(async () => s3.stop());

    async function ingest(site: string, name: string, lines: unknown[]): Promise<{ manifest: BatchManifest; rows: Record<string, string>[]; bad: { kind: string; reason: string }[] }> {
        const key = `incoming/${site}/${name}`;
        await put(s3, BUCKET, key, ndjson(lines));
        const manifest = (await handle(objectCreated(BUCKET, key))) as BatchManifest;
        const rows = Papa.parse<Record<string, string>>(await readGzipText(s3, BUCKET, manifest.outputs.curated), { header: true, skipEmptyLines: true }).data;
        const bad = (await readGzipText(s3, BUCKET, manifest.outputs.quarantine)).split("\n").filter(Boolean).map((l) => JSON.parse(l));
        return { manifest, rows, bad };
    }

    it("converts every reading of the site's own detectors in their deployment windows", async () => {
        const lines = [...Array.from({ length: 40 }, (_, i) => reading(1, i)), ...Array.from({ length: 30 }, (_, i) => reading(2, i))];
        const { manifest, rows, bad } = await ingest(SITE_A, "own.ndjson", lines);
        expect(rows).to.have.length(70);
        expect(bad).to.deep.equal([]);
        expect(manifest).to.include({ rowsIn: 70, rowsOut: 70, rowsQuarantined: 0 });
        expect(lookups).to.include(SITE_A);
    });

    const forged: [string, string, unknown[]][] = [
        ["a foreign serial (another client's detector) in a site-A file", SITE_A, [asSerial(reading(1, 1), "MD-0003")]],
        ["a serial never registered", SITE_A, [asSerial(reading(1, 1), "MD-9999")]],
        ["MD-0002 after it left site A (decommissioned)", SITE_A, [reading(2, 30), reading(2, 31), reading(2, 3600)]],
        ["site A's detector in a file uploaded for site B", SITE_B, [reading(1, 1)]],
        ["site A's detector before any deployment", SITE_A, [{ ...reading(1, 1), timestamp: "2024-12-31T23:59:59Z" }]],
        ["readings for an unknown site", "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d", [reading(1, 1)]],
    ];
    for (const [name, site, lines] of forged) {
        it(`quarantines as identity-mismatch, with no curated row: ${name}`, async () => {
            const { manifest, rows, bad } = await ingest(site, `forged-${forged.findIndex((f) => f[0] === name)}.ndjson`, lines);
            expect(rows).to.deep.equal([]);
            expect(bad.map((b) => b.kind)).to.deep.equal(lines.map(() => "identity-mismatch"));
            expect(manifest.reasons).to.deep.equal({ "identity-mismatch": lines.length });
            expect(manifest.rowsIn).to.equal(manifest.rowsOut! + manifest.rowsQuarantined!);
        });
    }

    it("keeps the site's readings and quarantines the foreign ones of a mixed file", async () => {
        const lines = [reading(1, 5), reading(3, 5), asSerial(reading(1, 6), "MD-0002"), { ...reading(3, 6), latitude: 91 }];
        const { manifest, rows, bad } = await ingest(SITE_B, "mixed.ndjson", lines);
        expect(rows.map((r) => r.detector_id)).to.deep.equal(["MD-0003"]);
        expect(bad.map((b) => b.kind)).to.deep.equal(["identity-mismatch", "identity-mismatch", "out-of-range"]);
        expect(manifest).to.include({ rowsIn: 4, rowsOut: 1, rowsQuarantined: 3 });
    });

    it("fails the event when the registry cannot say who was deployed (retried, then kept in the DLQ), writing nothing", async () => {
        const failing = createBatchHandler(s3.client, { bucket: BUCKET, siteDeployments: async () => { throw new Error("registry unavailable"); } });
        const key = `incoming/${SITE_A}/when-down.ndjson`;
        await put(s3, BUCKET, key, ndjson([reading(1, 1)]));
        let error: unknown;
        try { await failing(objectCreated(BUCKET, key)); } catch (err) { error = err; }
        expect(error).to.be.instanceOf(Error).with.property("message", "registry unavailable");
    });

    it("property: the gate admits a reading exactly when its detector was deployed at the site at its time", () => {
        const windows = fc.array(fc.record({
            serial: fc.constantFrom("MD-0001", "MD-0002", "MD-0003"),
            start: fc.integer({ min: 0, max: 1000 }),
            length: fc.option(fc.integer({ min: 1, max: 500 }), { nil: null }),
        }), { maxLength: 4 });
        fc.assert(fc.property(windows, fc.constantFrom("MD-0001", "MD-0002", "MD-0003", "MD-0004"), fc.integer({ min: 0, max: 2000 }), (ws, detectorId, at) => {
            const base = Date.UTC(2025, 0, 1);
            const iso = (s: number) => new Date(base + s * 1000).toISOString();
            const gate = siteGate(SITE_A, ws.map((w) => ({ serial: w.serial, startsAt: iso(w.start), endsAt: w.length === null ? null : iso(w.start + w.length) })));
            const admitted = gate({ ...(reading(1, 1) as unknown as Reading), detector_id: detectorId, timestamp: iso(at) }) === undefined;
            const expected = ws.some((w) => w.serial === detectorId && w.start <= at && (w.length === null || at < w.start + w.length));
            expect(admitted).to.equal(expected);
        }), { numRuns: 300 });
    });
});
