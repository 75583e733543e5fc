/**
 * What a client's users may read: their findings (paginated, filtered) and one by id, a presigned
 * download of one finding (gzip CSV or JSON, see findings-export.ts), and their projects, sites, detectors and deployments. Every registry query is
 * scoped by the client id from the token; a finding another client owns is answered exactly
 * like one that does not exist (same status, headers and body, one query either way).
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Pool } from "mysql2/promise";
import { listClientDeployments, listProjects, listSites } from "../registry/client-catalog";
import { listDetectors } from "../registry/deployments";
import { getFinding, listFindings } from "../registry/records";
import type { Finding, FindingFilter } from "../registry/types";
import { decodeCursor, encodeCursor } from "./cursor";
import { ApiEvent, PROBLEMS, badRequest, json, notFound } from "./http";
import { requireClient } from "./identity";
import { DOWNLOAD_CONTENT_TYPE, DOWNLOAD_EXTENSION, DOWNLOAD_FORMATS, DownloadFormat, exportKey } from "./findings-export";
import { checkFindingsKey, isPresignRefused, presignDownload } from "./presign";
import { Logger, Operation, Routes } from "./router";
import { CLIENT_DEPLOYMENT, DETECTOR, DOWNLOAD_LINK, FINDING, FINDINGS_PAGE, JsonSchema, PROJECT, SITE, list as listOf } from "./schemas";
import { QUERY, QuerySpec, pathId, queryString } from "./validate";

export interface ReadDeps {
    readonly pool: Pool;
}

export interface DownloadDeps extends ReadDeps {
    readonly s3: S3Client;
    readonly bucket: string;
    readonly expiresIn: number;
    readonly log: Logger;
}

/**
 * The finding row fields the API depends on, and no more: findings storage may change
 * (one object per client, project and period) without changing the client contract.
 */
export type FindingRow = Pick<Finding, "id" | "clientId" | "projectId" | "periodStart" | "periodEnd" | "s3Key" | "severity">;

/** What a client sees of a finding: no S3 key (downloads go through the API) and no client id. */
export function findingView(f: FindingRow) {
    return { id: f.id, projectId: f.projectId, periodStart: f.periodStart, periodEnd: f.periodEnd, severity: f.severity };
}

/** The name a download is saved under: what it is, when, which finding, and its format ("mdetect-finding-20260102T000000Z-1a2b3c4d.csv.gz"). */
export function downloadFilename(f: FindingRow, format: DownloadFormat = "csv"): string {
    const when = f.periodStart.toISOString().replace(/[-:]|\.\d{3}/g, "");
    return `mdetect-finding-${when}-${f.id.slice(0, 8)}.${DOWNLOAD_EXTENSION[format]}`;
}

const FINDING_FILTERS: QuerySpec = {
    projectId: QUERY.id("Only findings of this project."),
    detectorId: QUERY.id("Only findings of this detector."),
    severity: QUERY.severity(),
    from: QUERY.date("Periods starting at or after this instant (inclusive)."),
    to: QUERY.date("Periods starting before this instant (exclusive)."),
};
const list = (summary: string, item: JsonSchema, load: (pool: Pool, clientId: string) => Promise<unknown[]>): Operation<ReadDeps> => ({
    summary, access: "client", responses: [{ status: 200, description: "Every item, in a stable order (no paging).", schema: listOf(item) }],
    handle: async ({ caller, deps }) => json(200, { items: await load(deps.pool, requireClient(caller)) }),
});
const findingId = async (pool: Pool, clientId: string, event: ApiEvent): Promise<Finding> => {
    const id = pathId(event);
    const finding = id === undefined ? undefined : await getFinding(pool, clientId, id);
    if (!finding) throw notFound("finding");
    return finding;
};

export const READ_ROUTES: Routes<ReadDeps> = {
    "GET /v1/findings": {
        summary: "The caller's findings, newest period first (period start descending, then id), in pages.",
        access: "client",
        query: { ...FINDING_FILTERS, limit: QUERY.limit(), cursor: QUERY.cursor() },
        responses: [{ status: 200, description: "One page; nextCursor is absent on the last page.", schema: FINDINGS_PAGE }],
        handle: async ({ event, caller, deps, query }) => {
            const clientId = requireClient(caller);
            const { from, to } = query as { from?: Date; to?: Date };
            if (from && to && from >= to) throw badRequest("Query parameter from must be before to.");
            // The cursor is bound to the filters, so a page cannot be replayed under other ones (limit may change).
            const scope = Object.fromEntries(Object.keys(FINDING_FILTERS).map((name) => [name, queryString(event, name)]));
            const raw = query.cursor as string | undefined;
            const filter = { ...query, cursor: raw && decodeCursor(raw, clientId, scope) } as FindingFilter;
            const page = await listFindings(deps.pool, clientId, filter);
            return json(200, {
                items: page.items.map(findingView),
                nextCursor: page.nextCursor && encodeCursor(page.nextCursor, clientId, scope),
            });
        },
    },
    "GET /v1/findings/{id}": {
        summary: "One of the caller's findings.", access: "client",
        responses: [{ status: 200, description: "The finding.", schema: FINDING }],
        handle: async ({ event, caller, deps }) => json(200, findingView(await findingId(deps.pool, requireClient(caller), event))),
    },
    // Dates serialise as ISO 8601 through Date.toJSON.
    "GET /v1/projects": list("The caller's projects, by name.", PROJECT, listProjects),
    "GET /v1/sites": list("Sites where the caller's detectors are or were deployed, by name.", SITE, listSites),
    "GET /v1/detectors": list("Detectors ever deployed for the caller's projects, by serial.", DETECTOR, listDetectors),
    "GET /v1/deployments": list("The caller's deployments with their site's name, newest start first.", CLIENT_DEPLOYMENT, listClientDeployments),
};

export const DOWNLOAD_ROUTES: Routes<DownloadDeps> = {
    "GET /v1/findings/{id}/download": {
        summary: "A presigned URL that downloads the finding's rows as a gzip attachment: CSV (the default) or JSON.",
        access: "client",
        query: { format: QUERY.oneOf(DOWNLOAD_FORMATS, "the file format: csv (gzip CSV with a header, the default) or json (gzip JSON array of row objects)") },
        responses: [{ status: 200, description: "Fetch url with a plain GET, without the Authorization header, before it expires.", schema: DOWNLOAD_LINK }],
        problems: { [PROBLEMS.conflict.status]: "format=json for a finding too large to convert on request; download it with format=csv." },
        handle: async ({ event, caller, deps, query }) => {
            const clientId = requireClient(caller);
            const finding = await findingId(deps.pool, clientId, event);
            const format = (query.format as DownloadFormat | undefined) ?? "csv";
            const filename = downloadFilename(finding, format);
            try {
                checkFindingsKey(finding.s3Key, clientId);
                const key = await exportKey(deps.s3, deps.bucket, finding.s3Key, format);
                const url = await presignDownload(deps.s3, { bucket: deps.bucket, key, clientId, expiresIn: deps.expiresIn, filename, contentType: DOWNLOAD_CONTENT_TYPE });
                return json(200, { url, method: "GET", expiresInSeconds: deps.expiresIn, filename, contentType: DOWNLOAD_CONTENT_TYPE });
            } catch (error) {
                if (!isPresignRefused(error)) throw error;
                // A registry row pointing outside the client's prefix is a data error: never signed, never explained.
                deps.log.error("finding key outside the client's prefix", { findingId: finding.id });
                throw notFound("finding");
            }
        },
    },
};
