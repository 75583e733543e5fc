import { expect } from "chai";
import { createHash } from "crypto";
import Papa from "papaparse";
import { gzipSync } from "zlib";
import { createBatchHandler } from "../../../functions/batch/handler";
import { InvalidEventError } from "../../../functions/batch/event";
import { BatchManifest, PART_SIZE_BYTES } from "../../../functions/batch/ingest";
import { InvalidKeyError, outputKeys, parseIncomingKey } from "../../../functions/batch/keys";
import { CSV_COLUMNS } from "../../../functions/telemetry";
import { LocalS3, startLocalS3 } from "../../helpers/s3";
import { recordSdkCalls } from "../../helpers/aws-mock";
import { ndjson, reading } from "../realtime/fixtures";
import { listKeys, objectCreated, put, read, readGzipText } from "./fixtures";

const BUCKET = "lake";
/** Every site in these tests has had detectors MD-0000..MD-0099 since 2000 (the site gate's own tests are in site-gate.test.ts). */
const everyFixtureDetector = async () => Array.from({ length: 100 }, (_, i) => ({ serial: `MD-${String(i).padStart(4, "0")}`, startsAt: "2000-01-01T00:00:00Z", endsAt: null }));

/** Good readings of two detectors, then one bad reading of each kind the file should quarantine. */
function mixedReadings(good: number): unknown[] {
    const readings: unknown[] = [];
    for (let seq = 1; seq <= good; seq++) readings.push(reading(1 + (seq % 2), seq));
    readings.push({ ...reading(3, 1), zenith_deg: 95 }); // out of range
    readings.push({ ...reading(3, 2), muon_count: "many" }); // wrong type
    const { depth_m: _dropped, ...missing } = reading(3, 3);
    readings.push(missing); // missing field
    readings.push(reading(1, 2)); // duplicate: seq 2 above went to detector 1
    return readings;
}

describe("functions/batch: ingest against a local S3", () => {
    let s3: LocalS3;
    let handle: ReturnType<typeof createBatchHandler>;
    // The handler's calls on every path here (multipart, unversioned, failures), for the batch role's IAM table (tests/infra/batch-ingest.iam.test.ts).
    const sdk = recordSdkCalls("batch-ingest-paths");

    before(async () => {
        s3 = await startLocalS3([BUCKET, "other"]);
        handle = createBatchHandler(s3.client, { bucket: BUCKET, siteDeployments: everyFixtureDetector });
    });
    after(async () => s3.stop());

    async function ingest(key: string, body: string | Buffer, versionId?: string): Promise<BatchManifest> {
        await put(s3, BUCKET, key, body);
        return (await sdk.during(() => handle(objectCreated(BUCKET, key, versionId)))) as BatchManifest;
    }

    async function curatedRows(manifest: BatchManifest): Promise<Record<string, string>[]> {
        const parsed = Papa.parse<Record<string, string>>(await readGzipText(s3, BUCKET, manifest.outputs.curated), { header: true, skipEmptyLines: true });
        expect(parsed.errors).to.deep.equal([]);
        expect(parsed.meta.fields).to.deep.equal([...CSV_COLUMNS]);
        return parsed.data;
    }

    async function quarantined(manifest: BatchManifest): Promise<{ kind: string; reason: string }[]> {
        const text = await readGzipText(s3, BUCKET, manifest.outputs.quarantine);
        return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
    }

    async function storedManifest(manifest: BatchManifest): Promise<BatchManifest> {
        return JSON.parse((await read(s3, BUCKET, manifest.outputs.manifest)).toString("utf8"));
    }

    async function expectConsistent(manifest: BatchManifest, source: Buffer): Promise<void> {
        const rows = await curatedRows(manifest);
        const bad = await quarantined(manifest);
        expect(manifest.rowsIn).to.equal(manifest.rowsOut! + manifest.rowsQuarantined!);
        expect(rows).to.have.length(manifest.rowsOut!);
        expect(bad).to.have.length(manifest.rowsQuarantined!);
        expect(await storedManifest(manifest)).to.deep.equal(JSON.parse(JSON.stringify(manifest)));
        const raw = await read(s3, BUCKET, manifest.outputs.raw);
        expect(raw.equals(source), "raw/ copy is byte-identical").to.equal(true);
        expect(manifest.sha256).to.equal(createHash("sha256").update(source).digest("hex"));
    }

    it("converts NDJSON mixing good and bad readings, quarantining each bad one with its reason", async () => {
        const readings = mixedReadings(40);
        const body = Buffer.from(ndjson([...readings, "{not json"]) + "\n");
        const manifest = await ingest("incoming/site-a/dump-1.ndjson", body, "v1");
        await expectConsistent(manifest, body);
        expect(manifest.rowsIn).to.equal(readings.length + 1);
        expect(manifest.rowsOut).to.equal(40);
        expect(manifest.reasons).to.deep.include({ "out-of-range": 1, "wrong-type": 1, "missing-field": 1, duplicate: 1, "malformed-json": 1 });
        expect(manifest.complete).to.equal(true);
        const kinds = (await quarantined(manifest)).map((q) => q.kind);
        expect(kinds).to.have.members(["out-of-range", "wrong-type", "missing-field", "duplicate", "malformed-json"]);
        const rows = await curatedRows(manifest);
        expect(rows[0]).to.include({ detector_id: "MD-0002", seq: "1", zenith_deg: "12.5", depth_m: "120" });
        expect(manifest.outputs).to.deep.equal(outputKeys(parseIncomingKey("incoming/site-a/dump-1.ndjson"), "v1"));
    });

    it("converts a gzip JSON array and a plain JSON array the same way", async () => {
        const readings = mixedReadings(25);
        const plain = Buffer.from(JSON.stringify(readings));
        const gzip = gzipSync(plain);
        const fromPlain = await ingest("incoming/site-b/array.json", plain, "v1");
        const fromGzip = await ingest("incoming/site-b/array.json.gz", gzip, "v1");
        await expectConsistent(fromPlain, plain);
        await expectConsistent(fromGzip, gzip);
        expect(fromGzip.gzip).to.equal(true);
        expect([fromPlain.rowsOut, fromPlain.rowsQuarantined]).to.deep.equal([25, 4]);
        expect(await curatedRows(fromGzip)).to.deep.equal(await curatedRows(fromPlain));
    });

    it("rewrites the same keys, byte for byte, when the same version is processed again", async () => {
        const body = Buffer.from(ndjson(mixedReadings(10)));
        const first = await ingest("incoming/site-c/again.ndjson", body, "v7");
        const keysAfterFirst = await listKeys(s3, BUCKET);
        const before = await Promise.all(Object.values(first.outputs).map((k) => read(s3, BUCKET, k)));
        const second = (await handle(objectCreated(BUCKET, "incoming/site-c/again.ndjson", "v7"))) as BatchManifest;
        expect(second).to.deep.equal(first);
        expect(await listKeys(s3, BUCKET)).to.deep.equal(keysAfterFirst);
        const after = await Promise.all(Object.values(first.outputs).map((k) => read(s3, BUCKET, k)));
        expect(after.map((b) => b.toString("base64"))).to.deep.equal(before.map((b) => b.toString("base64")));
    });

    it("keeps a new version of the same upload apart from the old one", async () => {
        const old = await ingest("incoming/site-c/replaced.ndjson", ndjson(mixedReadings(5)), "v1");
        const fresh = await ingest("incoming/site-c/replaced.ndjson", ndjson(mixedReadings(8)), "v2");
        for (const area of ["raw", "curated", "quarantine", "manifest"] as const) expect(fresh.outputs[area]).not.to.equal(old.outputs[area]);
        expect((await storedManifest(old)).rowsOut).to.equal(5);
        expect((await storedManifest(fresh)).rowsOut).to.equal(8);
    });

    it("still writes outputs and a manifest with the reason when a gzip file is cut short", async () => {
        const readings = Array.from({ length: 3000 }, (_, i) => reading(7, i + 1));
        const whole = gzipSync(Buffer.from(ndjson(readings)));
        const truncated = whole.subarray(0, Math.floor(whole.length * 0.6));
        const manifest = await ingest("incoming/site-d/cut.ndjson.gz", truncated, "v1");
        await expectConsistent(manifest, truncated);
        expect(manifest.complete).to.equal(false);
        expect(manifest.error?.kind).to.equal("truncated-gzip");
        expect(manifest.rowsOut).to.be.greaterThan(0).and.lessThan(readings.length);
        expect((await quarantined(manifest)).map((q) => q.kind)).to.include("truncated-gzip");
    });

    it("records an empty upload as an empty file", async () => {
        const manifest = await ingest("incoming/site-d/empty.json", "", "v1");
        await expectConsistent(manifest, Buffer.alloc(0));
        expect([manifest.rowsIn, manifest.error?.kind]).to.deep.equal([0, "empty-file"]);
        expect(await curatedRows(manifest)).to.deep.equal([]);
    });

    it("copies a multi-part upload to raw/ intact", async () => {
        const readings: unknown[] = [];
        for (let seq = 1; readings.length * 330 < PART_SIZE_BYTES * 1.5; seq++) readings.push(reading(seq % 50, seq));
        const body = Buffer.from(ndjson(readings));
        expect(body.length).to.be.greaterThan(PART_SIZE_BYTES);
        const manifest = await ingest("incoming/site-e/big.ndjson", body, "v1");
        await expectConsistent(manifest, body);
        expect(manifest.rowsOut).to.equal(readings.length);
    });

    it("fails the event, after writing a manifest saying why, when the object cannot be read", async () => {
        const key = "incoming/site-f/vanished.ndjson";
        const err = await sdk.during(() => handle(objectCreated(BUCKET, key, "v1"))).then(() => undefined, (e: Error) => e);
        expect(err, "handler rejects so Lambda retries").to.be.instanceOf(Error);
        const keys = outputKeys(parseIncomingKey(key), "v1");
        const manifest: BatchManifest = JSON.parse((await read(s3, BUCKET, keys.manifest)).toString("utf8"));
        expect(manifest).to.include({ sourceKey: key, versionId: "v1", complete: false });
        expect(manifest.failure).to.be.a("string").and.not.equal("");
        const written = await listKeys(s3, BUCKET);
        for (const output of [keys.raw, keys.curated, keys.quarantine]) expect(written).not.to.include(output);
    });

    it("rejects keys outside incoming/<site>/<file> and writes nothing", async () => {
        const before = await listKeys(s3, BUCKET);
        for (const key of ["incoming/too/deep/file.json", "incoming/file.json", "incoming/site/..", "raw/site/x.json"]) {
            const err = await handle(objectCreated(BUCKET, key)).then(() => undefined, (e: Error) => e);
            expect(err, key).to.be.instanceOf(InvalidKeyError);
        }
        expect(await listKeys(s3, BUCKET)).to.deep.equal(before);
    });

    it("rejects events for another bucket or of another kind, and skips folder markers", async () => {
        await put(s3, "other", "incoming/site/x.json", "[]");
        const wrongBucket = await handle(objectCreated("other", "incoming/site/x.json")).then(() => undefined, (e: Error) => e);
        expect(wrongBucket).to.be.instanceOf(InvalidEventError);
        const wrongKind = await handle({ ...objectCreated(BUCKET, "incoming/site/x.json"), "detail-type": "Object Deleted" }).then(() => undefined, (e: Error) => e);
        expect(wrongKind).to.be.instanceOf(InvalidEventError);
        expect(await handle(objectCreated(BUCKET, "incoming/site-g/"))).to.deep.equal({ skipped: "folder marker", sourceKey: "incoming/site-g/" });
    });
});
