import { createHash } from "crypto";
import { expect } from "chai";
import * as fc from "fast-check";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { PRESIGN_DEFAULT_SECONDS, PRESIGN_MAX_SECONDS } from "../../../functions/api/limits";
import { PresignRefused, expirySeconds, presignClient, presignDownload, presignUpload, uploadHeaders } from "../../../functions/api/presign";
import { startLocalS3, LocalS3 } from "../../helpers/s3";
import { CREDENTIALS, REGION, signatureMatches } from "./fixtures";
import { rejection } from "../../helpers/rejection";

const BUCKET = "mdetect-data-lake";
const CLIENT = "0b6e3a52-4a3e-4c55-9d1c-3f0e1c2d3b4a";
const KEY = `findings/${CLIENT}/p1/d1/2026-01-01/scores.csv`;
const s3 = presignClient({ region: REGION, credentials: CREDENTIALS });

function sha256(data: string): string {
    return createHash("sha256").update(data).digest("base64");
}


describe("functions/api/presign", () => {
    describe("expiry", () => {
        it("defaults to 15 minutes and accepts up to an hour", () => {
            expect(expirySeconds(undefined)).to.equal(PRESIGN_DEFAULT_SECONDS).and.equal(900);
            expect(expirySeconds("")).to.equal(900);
            expect(expirySeconds("3600")).to.equal(PRESIGN_MAX_SECONDS).and.equal(3600);
            expect(expirySeconds("60")).to.equal(60);
        });

        it("refuses anything above the maximum, zero, or not a whole number", () => {
            for (const bad of ["3601", "86400", "0", "-5", "1.5", "15m", "abc"]) {
                expect(() => expirySeconds(bad), bad).to.throw(PresignRefused);
            }
        });

        it("refuses to sign a URL living longer than an hour", async () => {
            for (const expiresIn of [3601, 7 * 24 * 3600, 0, 1.5]) {
                expect(await rejection(presignDownload(s3, { bucket: BUCKET, key: KEY, clientId: CLIENT, expiresIn }))).to.be.instanceOf(PresignRefused);
                const upload = { bucket: BUCKET, key: "incoming/s/f.json", contentType: "application/json", checksumSha256: sha256("x"), expiresIn };
                expect(await rejection(presignUpload(s3, upload))).to.be.instanceOf(PresignRefused);
            }
        });
    });

    describe("download URLs", () => {
        it("sign a GET of exactly the finding's key, with the configured expiry and the region's credential scope", async () => {
            const url = new URL(await presignDownload(s3, { bucket: BUCKET, key: KEY, clientId: CLIENT, expiresIn: 900 }));
            expect(decodeURIComponent(url.pathname)).to.equal(`/${KEY}`);
            expect(url.hostname).to.equal(`${BUCKET}.s3.${REGION}.amazonaws.com`);
            expect(url.searchParams.get("X-Amz-Algorithm")).to.equal("AWS4-HMAC-SHA256");
            expect(url.searchParams.get("X-Amz-Expires")).to.equal("900");
            expect(url.searchParams.get("X-Amz-SignedHeaders")).to.equal("host");
            expect(url.searchParams.get("X-Amz-Credential")).to.match(new RegExp(`^${CREDENTIALS.accessKeyId}/\\d{8}/${REGION}/s3/aws4_request$`));
            expect(url.searchParams.get("X-Amz-Security-Token")).to.equal(CREDENTIALS.sessionToken);
            // No checksum-mode or other extra parameter the client would have to honour.
            expect(url.searchParams.has("x-amz-checksum-mode")).to.equal(false);
            expect(signatureMatches(url.toString(), "GET", {})).to.equal(true);
            expect(signatureMatches(url.toString(), "PUT", {}), "signed for GET only").to.equal(false);
            expect(signatureMatches(url.toString().replace("scores.csv", "other.csv"), "GET", {}), "bound to the key").to.equal(false);
        });

        it("name the attachment when asked, and refuse a name that would need quoting in Content-Disposition", async () => {
            const url = new URL(await presignDownload(s3, { bucket: BUCKET, key: KEY, clientId: CLIENT, expiresIn: 900, filename: "f-1.csv.gz", contentType: "application/gzip" }));
            expect(url.searchParams.get("response-content-disposition")).to.equal("attachment; filename=\"f-1.csv.gz\"");
            expect(url.searchParams.get("response-content-type")).to.equal("application/gzip");
            const longest = "x".repeat(128);
            expect(new URL(await presignDownload(s3, { bucket: BUCKET, key: KEY, clientId: CLIENT, expiresIn: 900, filename: longest })).searchParams.get("response-content-disposition"))
                .to.equal(`attachment; filename="${longest}"`);
            for (const filename of ["a\"b.csv", "a b.csv", "a;b.csv", "", ".csv", "x".repeat(129)]) {
                const error = await rejection(presignDownload(s3, { bucket: BUCKET, key: KEY, clientId: CLIENT, expiresIn: 900, filename }));
                expect(error, JSON.stringify(filename)).to.be.instanceOf(PresignRefused);
                expect(error.message).to.equal("refusing an attachment name that needs quoting");
            }
        });

        it("refuse keys outside findings/<client>/ or with empty, '.' or '..' segments", async () => {
            const other = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
            for (const key of [
                `findings/${other}/p/x.csv`, `findings/${CLIENT}`, `findings/${CLIENT}/`, `findings/${CLIENT}/../${other}/x.csv`,
                `findings/${CLIENT}//x.csv`, `findings/${CLIENT}/./x.csv`, `incoming/${CLIENT}/x.csv`, `raw/findings/${CLIENT}/x.csv`,
                `findings/${CLIENT}x/p/x.csv`,
            ]) {
                expect(await rejection(presignDownload(s3, { bucket: BUCKET, key, clientId: CLIENT, expiresIn: 900 })), key).to.be.instanceOf(PresignRefused);
            }
        });
    });

    describe("upload URLs", () => {
        const checksum = sha256('[{"detector_id":"MD-1"}]');
        const request = { bucket: BUCKET, key: "incoming/site-1/dump.json", contentType: "application/json", checksumSha256: checksum, expiresIn: 600 };

        it("sign a PUT that binds content type and SHA-256 checksum as signed headers", async () => {
            const url = new URL(await presignUpload(s3, request));
            expect(decodeURIComponent(url.pathname)).to.equal("/incoming/site-1/dump.json");
            expect(url.searchParams.get("X-Amz-Expires")).to.equal("600");
            expect(url.searchParams.get("X-Amz-SignedHeaders")).to.equal("content-type;host;x-amz-checksum-sha256");
            // Bound as headers, not as query values anyone could drop.
            expect(url.searchParams.has("x-amz-checksum-sha256")).to.equal(false);
            expect(url.searchParams.has("x-amz-checksum-crc32"), "no SDK-computed checksum of an empty body").to.equal(false);
            expect(url.searchParams.get("X-Amz-Credential")).to.match(new RegExp(`/${REGION}/s3/aws4_request$`));
            const headers = uploadHeaders(request);
            expect(signatureMatches(url.toString(), "PUT", headers)).to.equal(true);
            expect(signatureMatches(url.toString(), "PUT", { ...headers, "content-type": "text/html" }), "other type").to.equal(false);
            expect(signatureMatches(url.toString(), "PUT", { ...headers, "x-amz-checksum-sha256": sha256("other") }), "other file").to.equal(false);
            expect(signatureMatches(url.toString(), "GET", headers), "PUT only").to.equal(false);
        });

        it("refuse keys outside incoming/", async () => {
            for (const key of ["findings/x/y.json", "incoming/../findings/x.json", "incoming//x.json", "incoming/site/", "incomingx/site/f.json"]) {
                expect(await rejection(presignUpload(s3, { ...request, key })), key).to.be.instanceOf(PresignRefused);
            }
        });

        it("the signed checksum is the header value itself, for any file", async () => {
            await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), async (bytes) => {
                const checksumSha256 = createHash("sha256").update(bytes).digest("base64");
                const url = await presignUpload(s3, { ...request, checksumSha256 });
                return signatureMatches(url, "PUT", uploadHeaders({ contentType: request.contentType, checksumSha256 }));
            }), { numRuns: 25 });
        });
    });

    describe("against a local S3 (s3rver)", () => {
        let local: LocalS3;
        before(async () => { local = await startLocalS3([BUCKET]); });
        after(async () => { await local.stop(); });

        const localSigner = () => presignClient({
            region: REGION, endpoint: local.endpoint, forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
        });

        it("a presigned download returns the finding's bytes", async () => {
            await local.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: "detector_id,score\nMD-1,0.93\n" }));
            const url = await presignDownload(localSigner(), { bucket: BUCKET, key: KEY, clientId: CLIENT, expiresIn: 900 });
            const response = await fetch(url);
            expect(response.status).to.equal(200);
            expect(await response.text()).to.equal("detector_id,score\nMD-1,0.93\n");
        });

        it("a presigned upload with the signed headers stores the file under incoming/", async () => {
            const content = '{"detector_id":"MD-1","seq":1}\n';
            const request = { bucket: BUCKET, key: "incoming/site-9/dump.ndjson", contentType: "application/x-ndjson", checksumSha256: sha256(content), expiresIn: 900 };
            const url = await presignUpload(localSigner(), request);
            const response = await fetch(url, { method: "PUT", headers: uploadHeaders(request), body: content });
            expect(response.status).to.equal(200);
            const stored = await local.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: request.key }));
            expect(await stored.Body!.transformToString()).to.equal(content);
            expect(stored.ContentType).to.equal("application/x-ndjson");
        });
    });
});
