/**
 * POST /v1/uploads (staff): a presigned PUT for one file retrieved from a site, under
 * incoming/<siteId>/<filename>. The URL binds the content type and the SHA-256 the caller
 * declared, so S3 accepts only that exact file; batch ingest takes it from there.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { PREFIX } from "../layout";
import { MAX_FILENAME_LENGTH, safeFilename } from "./filename";
import { badRequest, json } from "./http";
import { requireStaff } from "./identity";
import { presignUpload, uploadHeaders } from "./presign";
import { Routes } from "./router";
import { FIELD, UPLOAD_LINK, bodySchema } from "./schemas";
import { ID_PATTERN, jsonBody, onlyFields } from "./validate";

export interface UploadDeps {
    readonly s3: S3Client;
    readonly bucket: string;
    readonly expiresIn: number;
}

/** What batch ingest reads: a JSON array or NDJSON, optionally gzip-compressed. */
export const UPLOAD_CONTENT_TYPES = ["application/json", "application/x-ndjson", "application/gzip"] as const;
/** Base64 of a 32-byte SHA-256 digest: 43 characters and one `=`. */
const SHA256_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

const UPLOAD_BODY = bodySchema({
    siteId: FIELD.id,
    filename: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$", maxLength: MAX_FILENAME_LENGTH, description: "No '..'." },
    contentType: { enum: [...UPLOAD_CONTENT_TYPES] },
    checksumSha256: { type: "string", pattern: SHA256_BASE64.source, description: "openssl dgst -sha256 -binary FILE | base64" },
}, ["siteId", "filename", "contentType", "checksumSha256"]);

export const UPLOAD_ROUTES: Routes<UploadDeps> = {
    "POST /v1/uploads": {
        summary: "A presigned PUT for one file retrieved from a site (staff); batch ingest converts it.",
        access: "staff", body: UPLOAD_BODY,
        responses: [{ status: 200, description: "PUT the file to url with exactly these headers before it expires.", schema: UPLOAD_LINK }],
        handle: async ({ event, caller, deps }) => {
            requireStaff(caller);
            const body = jsonBody(event);
            onlyFields(body, Object.keys(UPLOAD_BODY.properties as object));
            const { siteId, contentType, checksumSha256 } = body;
            if (typeof siteId !== "string" || !ID_PATTERN.test(siteId)) throw badRequest("siteId must be a site's lowercase UUID.");
            const filename = safeFilename(body.filename);
            if (typeof contentType !== "string" || !(UPLOAD_CONTENT_TYPES as readonly string[]).includes(contentType)) {
                throw badRequest(`contentType must be one of ${UPLOAD_CONTENT_TYPES.join(", ")}.`);
            }
            if (typeof checksumSha256 !== "string" || !SHA256_BASE64.test(checksumSha256)) {
                throw badRequest("checksumSha256 must be the base64 SHA-256 of the file (openssl dgst -sha256 -binary FILE | base64).");
            }
            const key = `${PREFIX.incoming}${siteId}/${filename}`;
            const request = { bucket: deps.bucket, key, contentType, checksumSha256, expiresIn: deps.expiresIn };
            const url = await presignUpload(deps.s3, request);
            return json(200, { url, method: "PUT", headers: uploadHeaders(request), key, expiresInSeconds: deps.expiresIn });
        },
    },
};
