/**
 * exportKey's decisions about S3 (findings-export.ts), with S3 stubbed: which failures of the
 * existence check stop a conversion, and where exactly the size limit lies. The conversion itself
 * against a real (local) S3 is in download.test.ts.
 */
import { expect } from "chai";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Readable } from "stream";
import { gunzipSync, gzipSync } from "zlib";
import { DOWNLOAD_CONTENT_TYPE, MAX_JSON_SOURCE_BYTES, exportKey, jsonKeyOf } from "../../../functions/api/findings-export";
import { isHttpProblem } from "../../../functions/api/http";
import { mockedDuring } from "../../helpers/aws-mock";
import { rejection } from "../../helpers/rejection";

const BUCKET = "mdetect-data-lake";
const CSV_KEY = "findings/c/p/2026-01-02/00/src.csv.gz";
const ETAG = "\"0123abcd\"";
const CSV = "detector_id,timestamp,seq,score,severity\nMD-0001,2026-01-02T00:00:00Z,0,0.1,info\n";

describe("functions/api findings-export: exportKey against S3 (stubbed)", () => {
    const s3 = mockedDuring(S3Client);
    const client = new S3Client({ region: "ap-southeast-2" });

    /** The CSV of `bytes` claimed size; the JSON conversion answering HEAD with `jsonHead`. */
    function stored(bytes: number, jsonHead: () => Promise<unknown>) {
        s3().on(HeadObjectCommand, { Key: CSV_KEY }).resolves({ ETag: ETAG, ContentLength: bytes });
        s3().on(HeadObjectCommand, { Key: jsonKeyOf(CSV_KEY) }).callsFake(jsonHead);
        s3().on(GetObjectCommand, { Key: CSV_KEY }).callsFake(async () => ({ Body: Readable.from([gzipSync(CSV)]) }));
        s3().on(PutObjectCommand).resolves({});
    }
    const notFound = async () => { throw Object.assign(new Error("Not Found"), { name: "NotFound" }); };

    it("converts a CSV of exactly the size limit, reading the version it checked and recording it on the JSON", async () => {
        stored(MAX_JSON_SOURCE_BYTES, notFound);
        expect(await exportKey(client, BUCKET, CSV_KEY, "json")).to.equal(jsonKeyOf(CSV_KEY));
        expect(s3().commandCalls(GetObjectCommand)[0].args[0].input).to.include({ Bucket: BUCKET, Key: CSV_KEY, IfMatch: ETAG });
        const put = s3().commandCalls(PutObjectCommand)[0].args[0].input;
        expect(put).to.include({ Bucket: BUCKET, Key: jsonKeyOf(CSV_KEY), ContentType: DOWNLOAD_CONTENT_TYPE });
        expect(put.Metadata).to.deep.equal({ "source-etag": ETAG });
        expect(JSON.parse(gunzipSync(put.Body as Buffer).toString("utf8"))).to.have.length(1);
    });

    it("refuses one byte more with a 409 that states the limit in MiB, before reading the CSV", async () => {
        stored(MAX_JSON_SOURCE_BYTES + 1, notFound);
        const error = await rejection(exportKey(client, BUCKET, CSV_KEY, "json"));
        expect(isHttpProblem(error) && error.kind.status).to.equal(409);
        expect((error as { detail?: string }).detail).to.include(`(limit ${MAX_JSON_SOURCE_BYTES / 2 ** 20} MiB of gzip CSV)`);
        expect(s3().commandCalls(GetObjectCommand)).to.have.length(0);
    });

    it("fails when the JSON key cannot be checked (anything but NotFound), converting nothing", async () => {
        for (const name of ["AccessDenied", "SlowDown", "Forbidden"]) {
            s3().reset();
            stored(10, async () => { throw Object.assign(new Error(name), { name }); });
            expect((await rejection(exportKey(client, BUCKET, CSV_KEY, "json"))).name, name).to.equal(name);
            expect(s3().commandCalls(GetObjectCommand), name).to.have.length(0);
            expect(s3().commandCalls(PutObjectCommand), name).to.have.length(0);
        }
    });
});
