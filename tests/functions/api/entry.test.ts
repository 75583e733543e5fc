/**
 * The Lambda entry points (entry.ts) as Lambda runs them: dependencies from the environment the
 * infrastructure sets, built on the first request and kept for the container's life, and a
 * configuration fault answered with the router's 500 (request id only) while the log says what is missing.
 */
import { createHash } from "crypto";
import { expect } from "chai";
import * as net from "net";
import { ENV, Entry, adminEntry, clientReadEntry, contractEntry, downloadEntry, uploadEntry } from "../../../functions/api/entry";
import type { ApiResult } from "../../../functions/api/http";
import { PRESIGN_DEFAULT_SECONDS } from "../../../functions/api/limits";
import { CREDENTIALS, REGION, apiEvent, body, claims, signatureMatches } from "./fixtures";

const SITE = "0a1b2c3d-0000-4000-8000-00000000abcd";
const CLIENT = "1b2c3d4e-0000-4000-8000-00000000abcd";
const UPLOAD = { siteId: SITE, filename: "dump.json", contentType: "application/json", checksumSha256: createHash("sha256").update("[]").digest("base64") };
const staff = () => claims({ groups: ["staff"] });
const DB_ENV = ["DB_HOST", "DB_PORT", "DB_NAME", "DB_USER"];
/** Every variable these tests set or clear, restored after each test. */
const KEYS = [ENV.bucket, ENV.expiry, ...DB_ENV, "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"];

function setEnv(values: Record<string, string | undefined>): void {
    for (const [k, v] of Object.entries(values)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
}

/** Calls `entry` with console.error captured (the router's default log): the result and what was logged. */
async function call(entry: Entry, ...args: Parameters<typeof apiEvent>) {
    const logged: Record<string, unknown>[] = [];
    const original = console.error;
    console.error = (_message: string, fields: Record<string, unknown>) => { logged.push(fields); };
    try {
        return { result: await entry(apiEvent(...args)), logged };
    } finally {
        console.error = original;
    }
}

/** The router's 500: the request id and nothing of the cause. */
function expectInternal(result: ApiResult, cause: string) {
    expect(result.statusCode).to.equal(500);
    expect(body(result)).to.include({ status: 500, requestId: "Xq1c3gAAAEEEAbc=" });
    expect(result.body).to.not.include(cause);
}

describe("functions/api: the Lambda entry points", () => {
    let saved: Record<string, string | undefined>;
    beforeEach(() => {
        saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
        setEnv(Object.fromEntries(KEYS.map((k) => [k, undefined])));
        setEnv({ AWS_REGION: REGION, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, AWS_SESSION_TOKEN: CREDENTIALS.sessionToken });
    });
    afterEach(() => setEnv(saved));

    it("upload: presigns for the bucket and expiry the environment names", async () => {
        setEnv({ [ENV.bucket]: "mdetect-data-lake", [ENV.expiry]: "120" });
        const { result } = await call(uploadEntry(), "POST /v1/uploads", { claims: staff(), body: UPLOAD });
        expect(result.statusCode, result.body).to.equal(200);
        const answer = body(result);
        expect(answer.expiresInSeconds).to.equal(120);
        const url = new URL(answer.url);
        expect(url.hostname).to.equal(`mdetect-data-lake.s3.${REGION}.amazonaws.com`);
        expect(url.searchParams.get("X-Amz-Expires")).to.equal("120");
        expect(signatureMatches(answer.url, "PUT", answer.headers)).to.equal(true);
    });

    it("builds its dependencies once per container: a later change of the environment does not reach it", async () => {
        setEnv({ [ENV.bucket]: "first-bucket" });
        const entry = uploadEntry();
        const first = await call(entry, "POST /v1/uploads", { claims: staff(), body: UPLOAD });
        setEnv({ [ENV.bucket]: "second-bucket", [ENV.expiry]: "60" });
        const second = await call(entry, "POST /v1/uploads", { claims: staff(), body: UPLOAD });
        for (const { result } of [first, second]) {
            expect(new URL(body(result).url).hostname).to.match(/^first-bucket\./);
            expect(body(result).expiresInSeconds, "the default expiry, read on the first request").to.equal(PRESIGN_DEFAULT_SECONDS);
        }
        expect(new URL(body((await call(uploadEntry(), "POST /v1/uploads", { claims: staff(), body: UPLOAD })).result).url).hostname, "a new container reads it again")
            .to.match(/^second-bucket\./);
    });

    for (const bucket of [undefined, ""]) {
        it(`upload and download: DATA_BUCKET ${bucket === undefined ? "unset" : "empty"} is the router's 500, and the log names the variable`, async () => {
            setEnv({ [ENV.bucket]: bucket, DB_HOST: "127.0.0.1", DB_PORT: "3306", DB_NAME: "registry", DB_USER: "api" });
            const upload = await call(uploadEntry(), "POST /v1/uploads", { claims: staff(), body: UPLOAD });
            const download = await call(downloadEntry(), "GET /v1/findings/{id}/download", { claims: claims({ clientId: CLIENT }), pathParameters: { id: SITE } });
            for (const { result, logged } of [upload, download]) {
                expectInternal(result, "DATA_BUCKET");
                expect(logged.map((f) => f.message)).to.deep.equal(["DATA_BUCKET is not set"]);
            }
        });
    }

    it("read, download and admin: the registry pool comes from the Lambda's DB_* variables, on the first request", async () => {
        setEnv({ [ENV.bucket]: "mdetect-data-lake" });
        const cases: [Entry, string, Parameters<typeof apiEvent>[1]][] = [
            [clientReadEntry(), "GET /v1/projects", { claims: claims({ clientId: CLIENT }) }],
            [downloadEntry(), "GET /v1/findings/{id}/download", { claims: claims({ clientId: CLIENT }), pathParameters: { id: SITE } }],
            [adminEntry(), "GET /v1/registry/sites", { claims: staff() }],
        ];
        for (const [entry, routeKey, options] of cases) {
            const { result, logged } = await call(entry, routeKey, options);
            expectInternal(result, "DB_HOST");
            expect(logged.map((f) => f.message), routeKey).to.deep.equal([`registry connection not configured: missing ${DB_ENV.join(", ")}`]);
            expect((await call(entry, "GET /v1/nope", options)).result.statusCode, `${routeKey}: only its own routes`).to.equal(404);
        }
    });

    it("read: connects to the host and port DB_HOST and DB_PORT name", async () => {
        const seen: net.Socket[] = [];
        const server = net.createServer((socket) => { seen.push(socket); socket.destroy(); });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
            setEnv({ DB_HOST: "127.0.0.1", DB_PORT: String((server.address() as net.AddressInfo).port), DB_NAME: "registry", DB_USER: "api" });
            const { result } = await call(clientReadEntry(), "GET /v1/projects", { claims: claims({ clientId: CLIENT }) });
            expect(result.statusCode).to.be.oneOf([500, 503]);
            expect(seen.length).to.be.greaterThan(0);
        } finally {
            await new Promise((resolve) => server.close(resolve));
        }
    });

    it("contract: serves exactly the document it was given, to a signed-in caller only", async () => {
        const document = JSON.stringify({ openapi: "3.1.0", paths: {}, note: "given at deploy time" });
        const entry = contractEntry(document);
        const { result } = await call(entry, "GET /v1/openapi.json", { claims: claims() });
        expect(result.statusCode).to.equal(200);
        expect(result.body).to.equal(document);
        expect((await call(entry, "GET /v1/openapi.json")).result.statusCode).to.equal(401);
    });
});
