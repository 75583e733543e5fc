/**
 * What a client's users may read: their findings (paginated, filtered), a presigned download
 * of one finding, and the detectors and deployments of their projects. Every registry query is
 * scoped by the client id from the token; a finding another client owns is answered exactly
 * like one that does not exist (same status, headers and body, one query either way).
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Pool } from "mysql2/promise";
import { listDeployments, listDetectors } from "../registry/deployments";
import { getFinding, listFindings } from "../registry/records";
import type { Finding } from "../registry/types";
import { decodeCursor, encodeCursor } from "./cursor";
import { badRequest, json, notFound } from "./http";
import { requireClient } from "./identity";
import { isPresignRefused, presignDownload } from "./presign";
import { Logger, Routes } from "./router";
import { pathId, queryDate, queryId, queryLimit, queryString } from "./validate";

export interface ReadDeps {
    readonly pool: Pool;
}

export interface DownloadDeps extends ReadDeps {
    readonly s3: S3Client;
    readonly bucket: string;
    readonly expiresIn: number;
    readonly log: Logger;
}

/** What a client sees of a finding: no S3 key (downloads go through the API) and no client id. */
export function findingView(f: Finding) {
    return {
        id: f.id, projectId: f.projectId, detectorId: f.detectorId, detectorSerial: f.detectorSerial,
        periodStart: f.periodStart, periodEnd: f.periodEnd, severity: f.severity, summary: f.summary, score: f.score, createdAt: f.createdAt,
    };
}

const FILTERS = ["projectId", "detectorId", "from", "to"] as const;

export const READ_ROUTES: Routes<ReadDeps> = {
    "GET /v1/findings": async ({ event, caller, deps }) => {
        const clientId = requireClient(caller);
        const filter = {
            projectId: queryId(event, "projectId"),
            detectorId: queryId(event, "detectorId"),
            from: queryDate(event, "from"),
            to: queryDate(event, "to"),
            limit: queryLimit(event),
        };
        if (filter.from && filter.to && filter.from >= filter.to) throw badRequest("Query parameter from must be before to.");
        // The cursor is bound to the filters, so a page cannot be replayed under other ones (limit may change).
        const scope = Object.fromEntries(FILTERS.map((name) => [name, queryString(event, name)]));
        const raw = queryString(event, "cursor");
        const page = await listFindings(deps.pool, clientId, { ...filter, cursor: raw && decodeCursor(raw, clientId, scope) });
        return json(200, {
            items: page.items.map(findingView),
            nextCursor: page.nextCursor && encodeCursor(page.nextCursor, clientId, scope),
        });
    },
    // Dates serialise as ISO 8601 through Date.toJSON.
    "GET /v1/detectors": async ({ caller, deps }) => json(200, { items: await listDetectors(deps.pool, requireClient(caller)) }),
    "GET /v1/deployments": async ({ caller, deps }) => json(200, { items: await listDeployments(deps.pool, requireClient(caller)) }),
};

export const DOWNLOAD_ROUTES: Routes<DownloadDeps> = {
    "GET /v1/findings/{id}/download": async ({ event, caller, deps }) => {
        const clientId = requireClient(caller);
        const id = pathId(event);
        const finding = id === undefined ? undefined : await getFinding(deps.pool, clientId, id);
        if (!finding) throw notFound("finding");
        try {
            const url = await presignDownload(deps.s3, { bucket: deps.bucket, key: finding.s3Key, clientId, expiresIn: deps.expiresIn });
            return json(200, { url, method: "GET", expiresInSeconds: deps.expiresIn });
        } catch (error) {
            if (!isPresignRefused(error)) throw error;
            // A registry row pointing outside the client's prefix is a data error: never signed, never explained.
            deps.log.error("finding key outside the client's prefix", { findingId: finding.id });
            throw notFound("finding");
        }
    },
};
