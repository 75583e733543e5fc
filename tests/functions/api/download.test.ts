/**
 * GET /v1/findings/{id}/download end to end: the route against the registry (MariaDB) and a local
 * S3 (s3rver) holding the gzip CSV inference writes; each presigned URL is fetched, and what S3
 * answers (status, Content-Type, Content-Disposition, bytes) is what is checked.
 */
import { expect } from "chai";
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { randomBytes } from "crypto";
import { gunzipSync, gzipSync } from "zlib";
import { DOWNLOAD_ROUTES } from "../../../functions/api/client-routes";
import { MAX_JSON_SOURCE_BYTES, jsonKeyOf } from "../../../functions/api/findings-export";
import { presignClient } from "../../../functions/api/presign";
import { FindingGroup, findingsBody, findingsCsv } from "../../../functions/inference/findings";
import * as reg from "../../../functions/registry";
import { withTestDatabase, TestDatabase } from "../../helpers/db";
import { LocalS3, startLocalS3 } from "../../helpers/s3";
import { ApiWorld, REGION, apiEvent, body, buildApiWorld, claims } from "./fixtures";
import { contractRouter } from "./contract";

const BUCKET = "mdetect-findings-download";
const THRESHOLD = 0.8;
const silent = { error: () => undefined };
const ROUTE = "GET /v1/findings/{id}/download";

const rowsOf = (n: number, seed: number): FindingGroup["rows"] => Array.from({ length: n }, (_, i) => ({
    detectorId: "MD-9001", timestamp: new Date(Date.UTC(2026, 0, 2, 0, 0, i)).toISOString(), seq: String(seed + i), score: ((seed + i) % 10) / 10,
}));
const group = (rows: FindingGroup["rows"]): FindingGroup => ({
    key: "unused", detectors: [], alertingDetectors: [], siteIds: [], rows, periodStart: new Date(0), periodEnd: new Date(1), maxScore: 0, alertCount: 0, severity: "info",
});

describe("functions/api download: gzip CSV or JSON attachments, fetched from a local S3", () => {
    let db: TestDatabase;
    let world: ApiWorld;
    let local: LocalS3;
    let download: ReturnType<typeof contractRouter>;

    before(async () => {
        db = await withTestDatabase();
        world = await buildApiWorld(db.pool);
        local = await startLocalS3([BUCKET]);
        const s3 = presignClient({ region: REGION, endpoint: local.endpoint, forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
        download = contractRouter(DOWNLOAD_ROUTES, async () => ({ pool: db.pool, s3, bucket: BUCKET, expiresIn: 900, log: silent }), silent);
        for (const [i, f] of world.findingsA.entries()) await put(f.s3Key, findingsBody(group(rowsOf(5 + i, 100 * i)), THRESHOLD));
    });
    after(async () => { await local?.stop(); await db?.drop(); });

    const put = (key: string, body: Buffer | string, metadata?: Record<string, string>) =>
        local.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: "application/gzip", Metadata: metadata }));
    const ask = (id: string, format?: string) =>
        download(apiEvent(ROUTE, { claims: claims({ clientId: world.clientA.id }), pathParameters: { id }, query: format ? { format } : undefined }));
    /** Asks for the link, fetches it, and checks S3 answers a gzip attachment under the link's file name. */
    async function fetched(id: string, format?: string): Promise<{ filename: string; text: string }> {
        const result = await ask(id, format);
        expect(result.statusCode, result.body).to.equal(200);
        const link = body(result);
        const response = await fetch(link.url);
        expect(response.status).to.equal(200);
        expect(response.headers.get("content-type")).to.equal(link.contentType).and.equal("application/gzip");
        expect(response.headers.get("content-disposition")).to.equal(`attachment; filename="${link.filename}"`);
        return { filename: link.filename, text: gunzipSync(Buffer.from(await response.arrayBuffer())).toString("utf8") };
    }

    it("csv (the default) is the object inference wrote, named .csv.gz", async () => {
        const f = world.findingsA[0];
        for (const format of [undefined, "csv"]) {
            const { filename, text } = await fetched(f.id, format);
            expect(filename).to.equal(`mdetect-finding-20260102T000000Z-${f.id.slice(0, 8)}.csv.gz`);
            expect(text).to.equal(findingsCsv(group(rowsOf(5, 0)), THRESHOLD));
        }
    });

    it("json is the same rows as a JSON array, named .json.gz", async () => {
        const f = world.findingsA[1];
        const { filename, text } = await fetched(f.id, "json");
        expect(filename).to.equal(`mdetect-finding-20260103T000000Z-${f.id.slice(0, 8)}.json.gz`);
        const rows = JSON.parse(text);
        expect(rows).to.have.length(6);
        expect(rows[0]).to.deep.equal({ detector_id: "MD-9001", timestamp: "2026-01-02T00:00:00.000Z", seq: 100, score: 0, severity: "info" });
        expect(rows.map((r: any) => r.seq)).to.deep.equal(rowsOf(6, 100).map((r) => Number(r.seq)));
    });

    it("converts once per version of the CSV: a repeat serves the stored JSON, a rewritten CSV is converted again", async () => {
        const f = world.findingsA[2];
        await fetched(f.id, "json");
        const stored = await local.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: jsonKeyOf(f.s3Key) }));
        // Replace the conversion with a marker, keeping its source tag: a repeat must serve it untouched.
        await put(jsonKeyOf(f.s3Key), gzipSync('"marker"'), stored.Metadata);
        expect((await fetched(f.id, "json")).text).to.equal('"marker"');
        await put(f.s3Key, findingsBody(group(rowsOf(2, 7)), THRESHOLD));
        expect(JSON.parse((await fetched(f.id, "json")).text).map((r: any) => r.seq)).to.deep.equal([7, 8]);
    });

    it("refuses json for an object too large to convert on request (409), and still serves it as csv", async () => {
        const f = world.findingsA[3];
        await put(f.s3Key, randomBytes(MAX_JSON_SOURCE_BYTES + 1));
        const refused = await ask(f.id, "json");
        expect(refused.statusCode).to.equal(409);
        expect(JSON.parse(refused.body).detail).to.match(/too large to convert to JSON.*format=csv/);
        expect((await ask(f.id, "csv")).statusCode).to.equal(200);
        await expectAbsent(jsonKeyOf(f.s3Key));
    });

    it("a finding whose key lies in another client's prefix is a 404 in every format, and nothing is read or written there", async () => {
        const key = `findings/${world.clientB.id}/${world.projectB.id}/2026-01-09/00/theirs.csv.gz`;
        await put(key, findingsBody(group(rowsOf(3, 0)), THRESHOLD));
        const { id } = await reg.recordFinding(db.pool, {
            clientId: world.clientA.id, projectId: world.projectA.id, detector: { id: world.d1.id }, s3Key: key,
            periodStart: new Date("2026-01-09T00:00:00Z"), periodEnd: new Date("2026-01-09T01:00:00Z"), severity: "info", summary: "misfiled", score: 0.1,
        });
        const absent = await ask("00000000-0000-4000-8000-000000000000", "json");
        for (const format of ["csv", "json"]) {
            const result = await ask(id, format);
            expect(result.statusCode, format).to.equal(404);
            expect(result.body, format).to.equal(absent.body);
        }
        await expectAbsent(jsonKeyOf(key));
    });

    async function expectAbsent(key: string) {
        const listed = await local.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key }));
        expect(listed.Contents ?? [], key).to.deep.equal([]);
    }
});
