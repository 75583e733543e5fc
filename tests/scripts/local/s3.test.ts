import { expect } from "chai";
import { createHash } from "crypto";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { iamAuthorizer } from "../../../scripts/lib/local/iam";
import { Principal, Principals } from "../../../scripts/lib/local/principals";
import { LocalS3, ObjectCreated } from "../../../scripts/lib/local/s3";

const REGION = "ap-southeast-2";
const BUCKET = "lake-test";
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const KEY_ARN = "arn:aws:kms:ap-southeast-2:123456789012:key/k1";

const writer = (extra: Record<string, unknown>[] = []) => [{
    name: "p", policy: {
        Version: "2012-10-17", Statement: [
            { Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: `${BUCKET_ARN}/curated/*` },
            { Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: KEY_ARN, Condition: { StringEquals: { "kms:ViaService": `s3.${REGION}.amazonaws.com` } } },
            ...extra,
        ],
    },
}];

function client(s3: LocalS3, p: Pick<Principal, "accessKeyId" | "secretAccessKey" | "sessionToken">, maxAttempts = 3): S3Client {
    return new S3Client({
        region: REGION, endpoint: s3.url, forcePathStyle: true, maxAttempts, requestHandler: new NodeHttpHandler(),
        credentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, sessionToken: p.sessionToken },
    });
}

async function failure(promise: Promise<unknown>): Promise<{ name: string; status?: number }> {
    try { await promise; } catch (err: any) { return { name: err.name, status: err.$metadata?.httpStatusCode }; }
    throw new Error("expected the call to fail");
}

describe("local S3 front: SigV4, IAM, KMS, events, faults", function () {
    const principals = new Principals();
    const allowed = principals.issue("writer", "arn:aws:iam::123456789012:role/writer", writer());
    const noKms = principals.issue("no-kms", "arn:aws:iam::123456789012:role/nokms", [{ name: "p", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: `${BUCKET_ARN}/*` }] } }]);
    const created: ObjectCreated[] = [];
    let clock = Date.now();
    let faults: number[] = [];
    const s3 = new LocalS3({
        buckets: [{
            name: BUCKET, arn: BUCKET_ARN, kmsKeyArn: KEY_ARN,
            policy: { Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: `${BUCKET_ARN}/curated/forbidden/*` }] },
        }],
        keyPolicies: { [KEY_ARN]: { Version: "2012-10-17", Statement: [{ Sid: "DelegateToIam", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" }] } },
        principals, authorizer: iamAuthorizer("123456789012", REGION), region: REGION, eventBridgeBuckets: [BUCKET],
        hooks: { onObjectCreated: (e) => created.push(e), fault: () => faults.shift() },
        now: () => clock,
    });
    before(async () => { await s3.start(); });
    after(async () => { await s3.stop(); });
    beforeEach(() => { clock = Date.now(); faults = []; });

    it("accepts a correctly signed PutObject inside the role's prefix and raises Object Created", async () => {
        await client(s3, allowed).send(new PutObjectCommand({ Bucket: BUCKET, Key: "curated/a.csv", Body: "x,y\n" }));
        const got = await client(s3, allowed).send(new GetObjectCommand({ Bucket: BUCKET, Key: "curated/a.csv" }));
        expect(await got.Body!.transformToString()).to.equal("x,y\n");
        expect(created.map((e) => [e.key, e.size, e.requester.label])).to.deep.include(["curated/a.csv", 4, "writer"]);
    });

    it("stores bodies on both sides of the SDK's Expect: 100-continue threshold (2 MiB) byte for byte", async () => {
        const EXPECT_CONTINUE_BYTES = 2 * 1024 * 1024; // @aws-sdk/middleware-sdk-s3's expectContinueHeader default
        const sent: Record<string, string | undefined> = {};
        const c = client(s3, allowed, 1);
        c.middlewareStack.add((next) => async (args: any) => { if (args.request.method === "PUT") sent[args.input.Key] = args.request.headers.Expect; return next(args); }, { step: "finalizeRequest" });
        for (const size of [EXPECT_CONTINUE_BYTES - 1, EXPECT_CONTINUE_BYTES, 9 * 1024 * 1024]) {
            const key = `curated/big-${size}`;
            const body = Buffer.alloc(size, size % 251);
            body.writeUInt32BE(size, 0);
            await c.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
            const got = Buffer.from(await (await c.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());
            expect(got.equals(body), `${size} bytes back as sent`).to.equal(true);
        }
        expect(sent, "the SDK sent the header from the threshold on").to.deep.equal({
            [`curated/big-${EXPECT_CONTINUE_BYTES - 1}`]: undefined, [`curated/big-${EXPECT_CONTINUE_BYTES}`]: "100-continue", [`curated/big-${9 * 1024 * 1024}`]: "100-continue",
        });
    });

    it("denies outside the role's resources with AccessDenied (403)", async () => {
        expect(await failure(client(s3, allowed).send(new PutObjectCommand({ Bucket: BUCKET, Key: "findings/a.csv", Body: "x" })))).to.deep.equal({ name: "AccessDenied", status: 403 });
    });

    it("an explicit Deny in the bucket policy wins over the role's Allow", async () => {
        expect((await failure(client(s3, allowed).send(new PutObjectCommand({ Bucket: BUCKET, Key: "curated/forbidden/a", Body: "x" })))).name).to.equal("AccessDenied");
    });

    it("SSE-KMS writes need kms:GenerateDataKey on the bucket key", async () => {
        expect((await failure(client(s3, noKms).send(new PutObjectCommand({ Bucket: BUCKET, Key: "curated/b", Body: "x" })))).name).to.equal("AccessDenied");
    });

    it("rejects a wrong secret (SignatureDoesNotMatch) and an unknown key id (InvalidAccessKeyId)", async () => {
        expect((await failure(client(s3, { ...allowed, secretAccessKey: "wrong" }).send(new PutObjectCommand({ Bucket: BUCKET, Key: "curated/c", Body: "x" })))).name).to.equal("SignatureDoesNotMatch");
        expect((await failure(client(s3, { ...allowed, accessKeyId: "ASIAUNKNOWN0000000" }).send(new PutObjectCommand({ Bucket: BUCKET, Key: "curated/c", Body: "x" })))).name).to.equal("InvalidAccessKeyId");
    });

    it("verifies presigned URLs: valid, tampered, expired", async () => {
        await client(s3, allowed).send(new PutObjectCommand({ Bucket: BUCKET, Key: "curated/p.csv", Body: "rows" }));
        const url = await getSignedUrl(client(s3, allowed), new GetObjectCommand({ Bucket: BUCKET, Key: "curated/p.csv" }), { expiresIn: 60 });
        const ok = await fetch(url);
        expect([ok.status, await ok.text()]).to.deep.equal([200, "rows"]);
        const tampered = await fetch(url.replace("curated/p.csv", "curated/a.csv"));
        expect(tampered.status).to.equal(403);
        expect(await tampered.text()).to.include("<Code>SignatureDoesNotMatch</Code>");
        clock += 61_000;
        const expired = await fetch(url);
        expect(expired.status).to.equal(403);
        expect(await expired.text()).to.include("Request has expired");
    });

    it("a presigned PUT uploads only where the signer's role may write", async () => {
        const url = await getSignedUrl(client(s3, allowed), new PutObjectCommand({ Bucket: BUCKET, Key: "curated/up.json" }), { expiresIn: 60 });
        expect((await fetch(url, { method: "PUT", body: "[]" })).status).to.equal(200);
        const outside = await getSignedUrl(client(s3, allowed), new PutObjectCommand({ Bucket: BUCKET, Key: "raw/up.json" }), { expiresIn: 60 });
        const res = await fetch(outside, { method: "PUT", body: "[]" });
        expect([res.status, (await res.text()).includes("AccessDenied")]).to.deep.equal([403, true]);
    });

    it("a presigned PUT binding content type and SHA-256 (as the upload route signs it) accepts only that file", async () => {
        const body = "[1]";
        const checksum = createHash("sha256").update(body).digest("base64");
        const url = await getSignedUrl(client(s3, allowed), new PutObjectCommand({ Bucket: BUCKET, Key: "curated/bound.json", ContentType: "application/json", ChecksumSHA256: checksum }), {
            expiresIn: 60, signableHeaders: new Set(["content-type"]), unhoistableHeaders: new Set(["x-amz-checksum-sha256"]),
        });
        const headers = { "content-type": "application/json", "x-amz-checksum-sha256": checksum };
        const other = await fetch(url, { method: "PUT", headers, body: "[2]" });
        expect([other.status, (await other.text()).includes("BadDigest")]).to.deep.equal([400, true]);
        const wrongType = await fetch(url, { method: "PUT", headers: { ...headers, "content-type": "text/plain" }, body });
        expect([wrongType.status, (await wrongType.text()).includes("SignatureDoesNotMatch")]).to.deep.equal([403, true]);
        const ok = await fetch(url, { method: "PUT", headers, body });
        expect(ok.status, await ok.text()).to.equal(200);
    });

    it("a 503 burst shorter than the SDK's attempts is retried through; a longer one surfaces", async () => {
        faults = [503, 503];
        await client(s3, allowed, 3).send(new PutObjectCommand({ Bucket: BUCKET, Key: "curated/r", Body: "x" }));
        faults = [503, 503, 503];
        expect((await failure(client(s3, allowed, 3).send(new PutObjectCommand({ Bucket: BUCKET, Key: "curated/r2", Body: "x" })))).name).to.equal("SlowDown");
    });
});
