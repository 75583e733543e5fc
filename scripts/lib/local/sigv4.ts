/**
 * SigV4 verification for the local fronts: the request's signature is recomputed with the
 * SDK's own signer (@smithy/signature-v4) from the caller's secret, over exactly the headers
 * the request says it signed, for both forms AWS accepts: the Authorization header and the
 * presigned query string (X-Amz-*), whose X-Amz-Expires is enforced.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
 */
import { createHash, timingSafeEqual } from "crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@smithy/core/checksum";
import { Principal, Principals } from "./principals";

/** SigV4 allows 15 minutes between the signing time and the server's clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;
/** What every service but S3 signs as the payload of a presigned request: the SHA-256 of no body. */
const EMPTY_PAYLOAD_SHA256 = createHash("sha256").update("").digest("hex");
/** A presigned URL lives at most 7 days. */
const MAX_EXPIRES_SECONDS = 604800;

export interface IncomingSigned {
    readonly method: string;
    /** Raw path as sent (still percent-encoded). */
    readonly path: string;
    readonly query: URLSearchParams;
    /** Header names lower-case. */
    readonly headers: Readonly<Record<string, string>>;
    readonly body: Buffer;
}

export interface Verified {
    readonly ok: true;
    readonly principal: Principal;
    readonly service: string;
    readonly region: string;
    readonly presigned: boolean;
}

export interface Rejected {
    readonly ok: false;
    /** AWS error code: MissingAuthenticationToken, InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied, RequestTimeTooSkewed. */
    readonly code: string;
    readonly message: string;
}

function parseDate(amzDate: string): Date | undefined {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

function equal(a: string, b: string): boolean {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
}

export async function verifySigV4(req: IncomingSigned, principals: Principals, now: () => number = Date.now): Promise<Verified | Rejected> {
    const presigned = req.query.has("X-Amz-Signature");
    let credential: string, signedHeaders: string, signature: string, amzDate: string;
    if (presigned) {
        if (req.query.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") return { ok: false, code: "AuthorizationQueryParametersError", message: "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"" };
        credential = req.query.get("X-Amz-Credential") ?? "";
        signedHeaders = req.query.get("X-Amz-SignedHeaders") ?? "";
        signature = req.query.get("X-Amz-Signature") ?? "";
        amzDate = req.query.get("X-Amz-Date") ?? "";
    } else {
        const auth = req.headers.authorization;
        if (!auth) return { ok: false, code: "MissingAuthenticationToken", message: "Request is missing Authentication Token" };
        const m = /^AWS4-HMAC-SHA256 Credential=([^,]+),\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]+)$/.exec(auth.trim());
        if (!m) return { ok: false, code: "IncompleteSignature", message: "Authorization header is not a SigV4 signature" };
        [, credential, signedHeaders, signature] = m;
        amzDate = req.headers["x-amz-date"] ?? "";
    }
    const [accessKeyId, , region, service, terminator] = credential.split("/");
    if (terminator !== "aws4_request" || !region || !service) return { ok: false, code: "IncompleteSignature", message: `malformed credential scope ${credential}` };
    const principal = principals.find(accessKeyId);
    if (!principal) return { ok: false, code: "InvalidAccessKeyId", message: "The AWS Access Key Id you provided does not exist in our records." };
    const signingDate = parseDate(amzDate);
    if (!signingDate) return { ok: false, code: "AccessDenied", message: "X-Amz-Date is missing or malformed" };
    let expiresIn: number | undefined;
    if (presigned) {
        expiresIn = Number(req.query.get("X-Amz-Expires"));
        if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_SECONDS) {
            return { ok: false, code: "AuthorizationQueryParametersError", message: "X-Amz-Expires must be between 1 and 604800 seconds" };
        }
        if (now() > signingDate.getTime() + expiresIn * 1000) return { ok: false, code: "AccessDenied", message: "Request has expired" };
    } else if (Math.abs(now() - signingDate.getTime()) > MAX_SKEW_MS) {
        return { ok: false, code: "RequestTimeTooSkewed", message: "The difference between the request time and the current time is too large." };
    }

    const signed = signedHeaders.split(";");
    const headers: Record<string, string> = {};
    for (const name of signed) {
        if (req.headers[name] === undefined) return { ok: false, code: "SignatureDoesNotMatch", message: `signed header ${name} is missing` };
        headers[name] = req.headers[name];
    }
    const declaredHash = req.headers["x-amz-content-sha256"];
    if (!presigned && declaredHash && /^[0-9a-f]{64}$/.test(declaredHash)
        && createHash("sha256").update(req.body).digest("hex") !== declaredHash) {
        return { ok: false, code: "XAmzContentSHA256Mismatch", message: "The provided 'x-amz-content-sha256' header does not match what was computed." };
    }
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(req.query.keys())) {
        if (key === "X-Amz-Signature") continue;
        const values = req.query.getAll(key);
        query[key] = values.length === 1 ? values[0] : values;
    }
    const signer = new SignatureV4({
        credentials: { accessKeyId, secretAccessKey: principal.secretAccessKey, sessionToken: presigned ? req.query.get("X-Amz-Security-Token") ?? undefined : headers["x-amz-security-token"] },
        region,
        service,
        sha256: Sha256,
        // S3 signs the path as sent; every other service double-encodes it.
        uriEscapePath: service !== "s3",
        applyChecksum: false,
    });
    const [host, port] = (headers.host ?? "").split(":");
    const request = {
        method: req.method, protocol: "http:", hostname: host, port: port ? Number(port) : undefined,
        path: req.path, query, headers,
        body: presigned || declaredHash ? undefined : req.body,
    };
    let expected: string;
    if (presigned) {
        // Presigned S3 URLs sign UNSIGNED-PAYLOAD, other services (an RDS auth token) the empty body's
        // hash; the payload hash header is neither signed nor hoisted.
        const payloadHash = req.query.get("X-Amz-Content-Sha256") ?? (service === "s3" ? "UNSIGNED-PAYLOAD" : EMPTY_PAYLOAD_SHA256);
        const withHash = { ...request, headers: { ...headers, "x-amz-content-sha256": payloadHash } };
        const unsigned = signed.includes("x-amz-content-sha256") ? new Set<string>() : new Set(["x-amz-content-sha256"]);
        const out = await signer.presign(withHash, { signingDate, expiresIn, unsignableHeaders: unsigned, unhoistableHeaders: new Set([...signed, "x-amz-content-sha256"]) });
        expected = String(out.query?.["X-Amz-Signature"] ?? "");
    } else {
        const out = await signer.sign(request, { signingDate });
        expected = /Signature=([0-9a-f]+)/.exec(String(out.headers.authorization))?.[1] ?? "";
    }
    if (!equal(expected, signature)) {
        return { ok: false, code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match the signature you provided." };
    }
    return { ok: true, principal, service, region, presigned };
}
