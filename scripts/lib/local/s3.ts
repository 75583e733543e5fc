/**
 * Local S3: s3rver stores the objects; this front stands where S3's endpoint stands. It
 * verifies every request's SigV4 signature (header or presigned query, expiry included),
 * evaluates IAM for the caller's role and the bucket policy from the plan (and KMS for
 * SSE-KMS buckets), answers denials as S3 does (403 AccessDenied, XML), meters the call, and
 * raises EventBridge "Object Created" for buckets that send notifications to EventBridge.
 * Faults (5xx bursts) are injected here, where S3 would return them.
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { createHash, randomUUID } from "crypto";
import { Authorizer } from "./iam";
import { BucketPlan, PolicyDocument } from "./plan";
import { Principal, Principals } from "./principals";
import { verifySigV4 } from "./sigv4";
import { closeServer, listenOnLoopback } from "./json-front";
// s3rver ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver");

export interface S3Operation {
    /** S3 API name (`PutObject`, `ListObjectsV2`...). */
    readonly operation: string;
    /** IAM action the operation needs. */
    readonly action: string;
    readonly bucket: string;
    readonly key?: string;
}

export interface ObjectCreated {
    readonly bucket: string;
    readonly key: string;
    readonly size: number;
    readonly etag: string;
    readonly requester: Principal;
    readonly reason: "PutObject" | "CopyObject" | "CompleteMultipartUpload";
}

export interface S3Hooks {
    /** Every authenticated call, allowed or not. */
    onCall?(call: { op: S3Operation; principal: Principal; status: number; bytesIn: number; bytesOut: number; allowed: boolean }): void;
    onObjectCreated?(event: ObjectCreated): void;
    /** Return an HTTP status (500, 503) to fail this request as S3 would, before it reaches storage. */
    fault?(op: S3Operation, principal: Principal): number | undefined;
}

/** The S3 operation a REST request is (the subset the pipeline and its clients use). */
export function s3Operation(method: string, pathname: string, query: URLSearchParams, headers: Record<string, string>): S3Operation {
    const [bucket, ...rest] = decodeURIComponent(pathname).replace(/^\//, "").split("/");
    const key = rest.length ? rest.join("/") : undefined;
    const q = (name: string) => query.has(name);
    const op = (operation: string, action: string): S3Operation => ({ operation, action, bucket, key });
    if (key === undefined || key === "") {
        if (method === "GET" && q("location")) return op("GetBucketLocation", "s3:GetBucketLocation");
        if (method === "GET" && q("uploads")) return op("ListMultipartUploads", "s3:ListBucketMultipartUploads");
        if (method === "GET") return op(query.get("list-type") === "2" ? "ListObjectsV2" : "ListObjects", "s3:ListBucket");
        if (method === "HEAD") return op("HeadBucket", "s3:ListBucket");
        if (method === "POST" && q("delete")) return op("DeleteObjects", "s3:DeleteObject");
        return op(`${method}Bucket`, `s3:${method === "PUT" ? "CreateBucket" : method === "DELETE" ? "DeleteBucket" : "ListBucket"}`);
    }
    if (method === "GET" || method === "HEAD") return op(method === "GET" ? "GetObject" : "HeadObject", query.has("versionId") ? "s3:GetObjectVersion" : "s3:GetObject");
    if (method === "POST" && q("uploads")) return op("CreateMultipartUpload", "s3:PutObject");
    if (method === "POST" && q("uploadId")) return op("CompleteMultipartUpload", "s3:PutObject");
    if (method === "PUT" && q("uploadId")) return op("UploadPart", "s3:PutObject");
    if (method === "DELETE" && q("uploadId")) return op("AbortMultipartUpload", "s3:AbortMultipartUpload");
    if (method === "PUT" && headers["x-amz-copy-source"]) return op("CopyObject", "s3:PutObject");
    if (method === "PUT") return op("PutObject", "s3:PutObject");
    if (method === "DELETE") return op("DeleteObject", "s3:DeleteObject");
    return op(`${method}Object`, "s3:*");
}

/**
 * Request headers the front does not pass on to s3rver: its own signature and framing (the body is
 * re-sent whole, with its own length), and the hop-by-hop ones: `expect: 100-continue` (the SDK's
 * for bodies of 2 MiB and more) is already answered here, and fetch refuses it.
 */
const NOT_FORWARDED = new Set(["authorization", "host", "content-length", "transfer-encoding", "x-amz-decoded-content-length", "x-amz-trailer", "expect", "connection", "keep-alive"]);

/** An error with what caused it (fetch's "fetch failed" says nothing until its cause is named). */
function withCause(err: any): string {
    const cause = err?.cause;
    return cause ? `${err.message}: ${cause.code ?? cause.name ?? ""} ${cause.message ?? ""}`.trim() : String(err?.message ?? err);
}

function xmlError(res: http.ServerResponse, status: number, code: string, message: string): void {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomUUID()}</RequestId></Error>`;
    res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
    res.end(body);
}

/** aws-chunked bodies (STREAMING-* payloads): the data without chunk framing and trailers. */
export function decodeAwsChunked(body: Buffer): Buffer {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
        const eol = body.indexOf("\r\n", at);
        if (eol < 0) throw new Error("aws-chunked body: missing chunk header");
        const size = parseInt(body.subarray(at, eol).toString("latin1").split(";")[0], 16);
        if (!Number.isFinite(size)) throw new Error("aws-chunked body: bad chunk size");
        if (size === 0) return Buffer.concat(parts);
        parts.push(body.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
    }
}

/**
 * GetObject's response header overrides (S3 API reference, GetObject: "response-content-type" ...):
 * S3 honours them on signed requests only. The front has verified the signature, and s3rver behind
 * it sees an unsigned request (and refuses them as anonymous), so the front applies them itself.
 */
const RESPONSE_OVERRIDES: Record<string, string> = {
    "response-cache-control": "cache-control", "response-content-disposition": "content-disposition", "response-content-encoding": "content-encoding",
    "response-content-language": "content-language", "response-content-type": "content-type", "response-expires": "expires",
};

const AUTH_QUERY = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token", "X-Amz-Content-Sha256", "x-id"];

export interface LocalS3Options {
    readonly buckets: readonly BucketPlan[];
    readonly principals: Principals;
    readonly authorizer: Authorizer;
    readonly region: string;
    /** Buckets whose object events go to EventBridge (from the plan's bucket notifications). */
    readonly eventBridgeBuckets?: readonly string[];
    /** Key policies by key ARN: KMS requires the key policy to allow (or delegate to IAM). */
    readonly keyPolicies?: Readonly<Record<string, PolicyDocument>>;
    readonly hooks?: S3Hooks;
    readonly now?: () => number;
}

export class LocalS3 {
    private storage: any;
    private server?: http.Server;
    private storageUrl = "";
    private readonly directory = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-local-s3-"));
    hooks: S3Hooks;
    url = "";

    constructor(private readonly options: LocalS3Options) {
        this.hooks = options.hooks ?? {};
    }

    async start(): Promise<string> {
        this.storage = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: this.directory, configureBuckets: this.options.buckets.map((b) => ({ name: b.name })) });
        const { port } = (await this.storage.run()) as AddressInfo;
        this.storageUrl = `http://127.0.0.1:${port}`;
        this.server = http.createServer((req, res) => { this.handle(req, res).catch((err) => xmlError(res, 500, "InternalError", withCause(err))); });
        this.url = await listenOnLoopback(this.server);
        return this.url;
    }

    async stop(): Promise<void> {
        await closeServer(this.server);
        await this.storage?.close();
        fs.rmSync(this.directory, { recursive: true, force: true });
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        let body: Buffer = Buffer.concat(chunks);
        const url = new URL(req.url ?? "/", "http://local");
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)]));
        const verified = await verifySigV4({ method: req.method!, path: url.pathname, query: url.searchParams, headers, body }, this.options.principals, this.options.now);
        if (!verified.ok) return xmlError(res, 403, verified.code, verified.message);
        if (verified.service !== "s3") return xmlError(res, 403, "SignatureDoesNotMatch", `credential scope names service ${verified.service}, not s3`);
        const op = s3Operation(req.method!, url.pathname, url.searchParams, headers);
        const principal = verified.principal;
        const bucket = this.options.buckets.find((b) => b.name === op.bucket);
        const report = (status: number, allowed: boolean, bytesOut: number) =>
            this.hooks.onCall?.({ op, principal, status, bytesIn: body.length, bytesOut, allowed });
        if (!bucket) { report(404, false, 0); return xmlError(res, 404, "NoSuchBucket", "The specified bucket does not exist"); }

        const denied = await this.evaluate(op, principal, bucket, headers, url.searchParams);
        if (denied) { report(403, false, 0); return xmlError(res, 403, "AccessDenied", denied); }
        const fault = this.hooks.fault?.(op, principal);
        if (fault) { report(fault, true, 0); return xmlError(res, fault, fault === 503 ? "SlowDown" : "InternalError", fault === 503 ? "Please reduce your request rate." : "We encountered an internal error. Please try again."); }

        if ((headers["x-amz-content-sha256"] ?? "").startsWith("STREAMING-") || (headers["content-encoding"] ?? "").includes("aws-chunked")) {
            body = decodeAwsChunked(body);
        }
        // S3 checks a declared checksum against the body it received (BadDigest when they differ).
        const declaredSha256 = headers["x-amz-checksum-sha256"];
        if (declaredSha256 && createHash("sha256").update(body).digest("base64") !== declaredSha256) {
            report(400, true, 0);
            return xmlError(res, 400, "BadDigest", "The SHA256 you specified did not match the calculated checksum.");
        }
        const forwardQuery = new URLSearchParams([...url.searchParams].filter(([k]) => !AUTH_QUERY.includes(k) && !(k in RESPONSE_OVERRIDES)));
        const forwardHeaders: Record<string, string> = {};
        for (const [k, v] of Object.entries(headers)) {
            if (NOT_FORWARDED.has(k)) continue;
            if (k === "content-encoding") { const rest = v.split(",").map((s) => s.trim()).filter((s) => s !== "aws-chunked"); if (rest.length) forwardHeaders[k] = rest.join(","); continue; }
            if (k.startsWith("x-amz-checksum-") || k === "x-amz-sdk-checksum-algorithm") continue;
            forwardHeaders[k] = v;
        }
        forwardHeaders["content-length"] = String(body.length);
        const qs = forwardQuery.toString();
        const upstream = await fetch(`${this.storageUrl}${url.pathname}${qs ? `?${qs}` : ""}`, {
            method: req.method, headers: forwardHeaders, body: ["GET", "HEAD"].includes(req.method!) ? undefined : body,
        });
        // S3 tells a caller without s3:ListBucket that a missing object is AccessDenied, not NoSuchKey.
        if (upstream.status === 404 && (op.operation === "GetObject" || op.operation === "HeadObject")) {
            const list = await this.options.authorizer.authorize({ principal, action: "s3:ListBucket", resource: bucket.arn, resourcePolicy: bucket.policy, context: { "s3:prefix": op.key ?? "" } });
            if (!list.allowed) { report(403, true, 0); return xmlError(res, 403, "AccessDenied", "Access Denied"); }
        }
        const out = Buffer.from(await upstream.arrayBuffer());
        const responseHeaders: Record<string, string> = {};
        upstream.headers.forEach((v, k) => { if (!["content-length", "transfer-encoding", "connection", "keep-alive"].includes(k)) responseHeaders[k] = v; });
        if (upstream.status === 200 && (op.operation === "GetObject" || op.operation === "HeadObject")) {
            for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) { const v = url.searchParams.get(param); if (v !== null) responseHeaders[header] = v; }
        }
        if (req.method !== "HEAD") responseHeaders["content-length"] = String(out.length);
        else if (upstream.headers.get("content-length")) responseHeaders["content-length"] = upstream.headers.get("content-length")!;
        res.writeHead(upstream.status, responseHeaders);
        res.end(req.method === "HEAD" ? undefined : out);
        report(upstream.status, true, out.length);
        if (upstream.status === 200 && ["PutObject", "CopyObject", "CompleteMultipartUpload"].includes(op.operation) && op.key
            && this.options.eventBridgeBuckets?.includes(bucket.name)) {
            const size = op.operation === "PutObject" ? body.length : await this.sizeOf(bucket.name, op.key);
            this.hooks.onObjectCreated?.({ bucket: bucket.name, key: op.key, size, etag: (upstream.headers.get("etag") ?? "").replace(/"/g, ""), requester: principal, reason: op.operation as ObjectCreated["reason"] });
        }
    }

    private async sizeOf(bucket: string, key: string): Promise<number> {
        const head = await fetch(`${this.storageUrl}/${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`, { method: "HEAD" });
        return Number(head.headers.get("content-length") ?? 0);
    }

    /** Undefined when allowed, else S3's denial message. */
    private async evaluate(op: S3Operation, principal: Principal, bucket: BucketPlan, headers: Record<string, string>, query: URLSearchParams): Promise<string | undefined> {
        const objectArn = op.key !== undefined && op.key !== "" ? `${bucket.arn}/${op.key}` : bucket.arn;
        const context: Record<string, string> = {};
        if (op.action === "s3:ListBucket") context["s3:prefix"] = query.get("prefix") ?? "";
        const decision = await this.options.authorizer.authorize({ principal, action: op.action, resource: objectArn, resourcePolicy: bucket.policy, context });
        if (!decision.allowed) return `User: ${principal.sessionArn} is not authorized to perform: ${op.action} on resource: "${objectArn}" (${decision.result})`;
        // SSE-KMS: S3 asks KMS for a data key (writes) or a decryption (reads) on the caller's behalf.
        const writes = op.action === "s3:PutObject";
        const reads = op.operation === "GetObject";
        const keyArn = headers["x-amz-server-side-encryption-aws-kms-key-id"] ?? bucket.kmsKeyArn;
        const sse = headers["x-amz-server-side-encryption"] ?? (bucket.kmsKeyArn ? "aws:kms" : undefined);
        if (keyArn && sse === "aws:kms" && (writes || reads) && op.operation !== "UploadPart") {
            const action = writes ? "kms:GenerateDataKey" : "kms:Decrypt";
            const kms = await this.options.authorizer.authorize({
                principal, action, resource: keyArn, resourcePolicy: this.options.keyPolicies?.[keyArn],
                context: { "kms:ViaService": `s3.${this.options.region}.amazonaws.com`, "kms:EncryptionContext:aws:s3:arn": bucket.arn },
            });
            if (!kms.allowed) return `User: ${principal.sessionArn} is not authorized to perform: ${action} on resource: "${keyArn}" because no identity-based policy allows the ${action} action`;
        }
        return undefined;
    }
}
