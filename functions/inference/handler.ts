/**
 * Inference for one curated object: read, score through the endpoint (chunks in parallel up to
 * the endpoint's concurrency), route each reading to the deployment that owned its detector at
 * the time, write findings per client/project/hour, record them, alert. Two registry round
 * trips per object whatever the fleet size (issue 17): one owner lookup, one batched write.
 *
 * Order matters for retries: every chunk is scored before anything is written, so a permanent
 * failure leaves nothing behind; objects are written under deterministic keys and the registry
 * records are idempotent, so a retry after a later failure converges on the same state.
 * Alerts are at-least-once: a retry after a publish failure may repeat an e-mail.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { Readable } from "stream";
import { PREFIX } from "../layout";
import { ObjectCreatedEvent, parseObjectCreated } from "../batch/event";
import type { DataFileSource, DetectorDayInput } from "../registry/types";
import { readCuratedRows } from "./curated";
import { inferenceError } from "./errors";
import { ChunkScorer } from "./endpoint";
import { FindingGroup, findingsBody, groupFindings } from "./findings";
import { ClientAlert, RecordedGroup, clientAlerts } from "./notify";
import { RegistryPort } from "./registry-port";
import { resolveOwners } from "./routing";
import { ScoredRow, scoreRows } from "./scoring";

export interface InferenceDeps {
    readonly bucket: string;
    readonly s3: S3Client;
    readonly sns: SNSClient;
    readonly findingsTopicArn: string;
    readonly scorer: ChunkScorer;
    readonly registry: RegistryPort;
    readonly limitBytes: number;
    readonly concurrency: number;
    readonly alertThreshold: number;
    readonly log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface InferenceResult {
    readonly sourceKey: string;
    readonly rows: number;
    readonly chunks: number;
    readonly findings: { key: string; findingId?: string; rows: number; severity: string }[];
    /** Readings no deployment covered, written under findings/unassigned/. */
    readonly unassignedRows: number;
    readonly alertingRows: number;
    readonly messages: number;
}

const REALTIME_SUBPREFIX = "realtime/";

/** A curated key's source kind: curated/realtime/... came through the stream, the rest in batch. */
export function sourceOf(key: string): DataFileSource {
    return key.startsWith(`${PREFIX.curated}${REALTIME_SUBPREFIX}`) ? "stream" : "batch";
}

/** S3 PUTs of findings objects in flight at once (each a few hundred KB of gzip). */
export const PUT_CONCURRENCY = 16;

/** Runs `task` over `items` with at most `limit` in flight; the first failure rejects (after the rest settle). */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
    let next = 0;
    const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
        while (next < items.length) await task(items[next++]);
    });
    const settled = await Promise.allSettled(workers);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
}

export async function runInference(event: ObjectCreatedEvent, deps: InferenceDeps): Promise<InferenceResult> {
    const log = deps.log ?? (() => undefined);
    const source = parseObjectCreated(event, deps.bucket);
    if (!source.key.startsWith(PREFIX.curated)) throw inferenceError("NotCuratedError", `${source.key} is not under ${PREFIX.curated}`);

    const object = await deps.s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: source.key, VersionId: source.versionId }));
    const scored = await scoreRows(readCuratedRows(object.Body as Readable), deps.scorer, { limitBytes: deps.limitBytes, concurrency: deps.concurrency });
    // S3's own content tag: stable for the object, no second pass over the data.
    const checksum = `etag:${(object.ETag ?? "").replace(/"/g, "")}`;

    // Registry round trip 1: every deployment of the object's detectors over its time range.
    const ownerOf = await resolveOwners(scored.rows.map((r) => ({ detector: r.detectorId, atMs: Date.parse(r.timestamp) })), deps.registry.ownerSpans);
    const groups = groupFindings(scored.rows, (r) => ownerOf(r.detectorId, Date.parse(r.timestamp)), source.key, deps.alertThreshold);

    await inParallel(groups, PUT_CONCURRENCY, (group) => deps.s3.send(new PutObjectCommand({
        Bucket: deps.bucket, Key: group.key, Body: findingsBody(group, deps.alertThreshold), ContentType: "application/gzip",
    })));

    // Registry round trip 2: the project-hour findings, detector days and the stream object, in one call.
    const owned = groups.filter((g) => g.owner);
    const unassigned = groups.filter((g) => !g.owner);
    const unassignedRows = unassigned.reduce((n, g) => n + g.rows.length, 0);
    const { findingIds, unknownDetectors } = await deps.registry.recordInference({
        stream: sourceOf(source.key) === "stream" && scored.rows.length > 0 ? {
            s3Key: source.key, checksum, rowCount: scored.rows.length, detectorCount: new Set(scored.rows.map((r) => r.detectorId)).size,
            unassignedRows, ...readingRange(scored.rows),
        } : undefined,
        findings: owned.map((g) => ({
            clientId: g.owner!.clientId,
            projectId: g.owner!.projectId,
            detector: g.detectorId === undefined ? undefined : { id: g.detectorId },
            detectorCount: g.detectors.length,
            rowCount: g.rows.length,
            alertCount: g.alertCount,
            s3Key: g.key,
            periodStart: g.periodStart,
            periodEnd: g.periodEnd,
            severity: g.severity,
            summary: summary(g),
            score: g.maxScore,
        })),
        detectorDays: detectorDays(scored.rows),
    });
    const recorded: RecordedGroup[] = owned.map((g, i) => ({ ...g, findingId: findingIds[i] }));

    if (unassignedRows > 0) {
        log("readings without a deployment", {
            sourceKey: source.key, unassignedRows, detectors: [...new Set(unassigned.flatMap((g) => g.detectors))], unknownDetectors, keys: unassigned.map((g) => g.key),
        });
    }
    const alerts = clientAlerts(recorded, deps.alertThreshold);
    for (const alert of alerts) await publish(deps, alert);

    const idByKey = new Map(recorded.map((r) => [r.key, r.findingId]));
    const result: InferenceResult = {
        sourceKey: source.key,
        rows: scored.rows.length,
        chunks: scored.chunks,
        findings: groups.map((g) => ({ key: g.key, findingId: idByKey.get(g.key), rows: g.rows.length, severity: g.severity })),
        unassignedRows,
        alertingRows: groups.reduce((n, g) => n + g.alertCount, 0),
        messages: alerts.length,
    };
    log("inference done", { ...result, findings: result.findings.length });
    return result;
}

function summary(group: FindingGroup): string {
    return `${group.rows.length} readings from ${group.detectors.length} detector${group.detectors.length === 1 ? "" : "s"} scored, ${group.alertCount} at or above the alert threshold, highest score ${group.maxScore.toFixed(4)}`;
}

function readingRange(rows: ScoredRow[]): { firstReadingAt: Date; lastReadingAt: Date } {
    let first = Infinity, last = -Infinity;
    for (const r of rows) {
        const t = Date.parse(r.timestamp);
        if (t < first) first = t;
        if (t > last) last = t;
    }
    return { firstReadingAt: new Date(first), lastReadingAt: new Date(last) };
}

/**
 * First and last reading per detector per UTC day, so the registry shows when each detector
 * last reported (the silence check) with one row per detector-day, not per object.
 */
function detectorDays(rows: ScoredRow[]): DetectorDayInput[] {
    const days = new Map<string, { serial: string; first: number; last: number }>();
    for (const r of rows) {
        const t = Date.parse(r.timestamp);
        const key = `${r.detectorId}\n${new Date(t).toISOString().slice(0, 10)}`;
        const d = days.get(key);
        if (!d) days.set(key, { serial: r.detectorId, first: t, last: t });
        else { if (t < d.first) d.first = t; if (t > d.last) d.last = t; }
    }
    return [...days.values()].map((d) => ({ serial: d.serial, firstReadingAt: new Date(d.first), lastReadingAt: new Date(d.last) }));
}

async function publish(deps: InferenceDeps, alert: ClientAlert): Promise<void> {
    await deps.sns.send(new PublishCommand({
        TopicArn: deps.findingsTopicArn,
        Subject: alert.subject,
        Message: alert.message,
        MessageAttributes: {
            client_id: { DataType: "String", StringValue: alert.clientId },
            severity: { DataType: "String", StringValue: alert.severity },
        },
    }));
}
