/**
 * Presigned S3 URLs for clients: signing is local (no network call), so it works from a VPC
 * Lambda without a NAT. Each URL is bound to exactly one key and method; uploads also bind the
 * content type and the SHA-256 checksum as signed headers, so S3 refuses a different file.
 *
 * A URL signed with a Lambda role's session credentials stops working when that session ends,
 * whichever comes first; X-Amz-Expires is the upper bound we promise.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { PREFIX } from "../layout";
import { PRESIGN_DEFAULT_SECONDS, PRESIGN_MAX_SECONDS } from "./limits";
import { LambdaError, isNamedError } from "../errors";

export class PresignRefused extends LambdaError {
    constructor(message: string) { super("PresignRefused", message); }
}

export const isPresignRefused = (error: unknown): error is PresignRefused => isNamedError(error, "PresignRefused");

function checkExpiry(seconds: number): number {
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > PRESIGN_MAX_SECONDS) {
        throw new PresignRefused(`presign expiry must be 1-${PRESIGN_MAX_SECONDS} seconds`);
    }
    return seconds;
}

/** The configured lifetime (env PRESIGN_EXPIRY_SECONDS); refuses anything above the maximum. */
export function expirySeconds(value: string | undefined): number {
    if (value === undefined || value === "") return PRESIGN_DEFAULT_SECONDS;
    return checkExpiry(/^[0-9]+$/.test(value) ? Number(value) : NaN);
}

/**
 * A client for presigning only. Checksums are computed "when required": otherwise the SDK would
 * sign a CRC32 of the empty body into upload URLs and ask for checksum mode on downloads.
 */
export function presignClient(options: ConstructorParameters<typeof S3Client>[0] = {}): S3Client {
    return new S3Client({ requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED", ...options });
}

/** Keys we sign are plain paths: no empty segment, no `.`/`..` segment, nothing outside the prefix. */
function checkKey(key: string, prefix: string): void {
    const segments = key.slice(prefix.length).split("/");
    if (!key.startsWith(prefix) || segments.some((s) => s === "" || s === "." || s === "..")) {
        throw new PresignRefused("refusing to presign a key outside its prefix");
    }
}

export interface DownloadRequest {
    readonly bucket: string;
    readonly key: string;
    /** The caller's client: the key must lie under findings/<clientId>/. */
    readonly clientId: string;
    readonly expiresIn: number;
    /** Saved-as name: S3 answers with `Content-Disposition: attachment; filename="..."` (ResponseContentDisposition). */
    readonly filename?: string;
    readonly contentType?: string;
}

/** File names we put in a Content-Disposition header: a plain token, nothing to quote or escape. */
const ATTACHMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Refuses (PresignRefused) a findings key outside findings/<clientId>/: checked before anything reads or writes near it. */
export function checkFindingsKey(key: string, clientId: string): void {
    checkKey(key, `${PREFIX.findings}${clientId}/`);
}

export async function presignDownload(s3: S3Client, request: DownloadRequest): Promise<string> {
    checkExpiry(request.expiresIn);
    checkFindingsKey(request.key, request.clientId);
    if (request.filename !== undefined && !ATTACHMENT_NAME.test(request.filename)) throw new PresignRefused("refusing an attachment name that needs quoting");
    const command = new GetObjectCommand({
        Bucket: request.bucket, Key: request.key,
        ResponseContentDisposition: request.filename && `attachment; filename="${request.filename}"`,
        ResponseContentType: request.contentType,
    });
    return getSignedUrl(s3, command, { expiresIn: request.expiresIn });
}

export interface UploadRequest {
    readonly bucket: string;
    readonly key: string;
    readonly contentType: string;
    /** Base64 SHA-256 of the exact bytes the client will send. */
    readonly checksumSha256: string;
    readonly expiresIn: number;
}

/** The headers an upload must send, exactly as signed. */
export function uploadHeaders(request: Pick<UploadRequest, "contentType" | "checksumSha256">): Record<string, string> {
    return { "content-type": request.contentType, "x-amz-checksum-sha256": request.checksumSha256 };
}

export async function presignUpload(s3: S3Client, request: UploadRequest): Promise<string> {
    checkExpiry(request.expiresIn);
    checkKey(request.key, PREFIX.incoming);
    const command = new PutObjectCommand({
        Bucket: request.bucket,
        Key: request.key,
        ContentType: request.contentType,
        ChecksumSHA256: request.checksumSha256,
    });
    return getSignedUrl(s3, command, {
        expiresIn: request.expiresIn,
        // Signed as headers (not hoisted into the query), so the uploader must send these values.
        signableHeaders: new Set(["content-type"]),
        unhoistableHeaders: new Set(["x-amz-checksum-sha256"]),
    });
}
