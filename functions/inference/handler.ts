/**
 * Inference for one curated object: read, score through the endpoint, route each reading to
 * the deployment that owned its detector at the time, write findings, record them, alert.
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
import type { DataFileSource } from "../registry/types";
import { readCuratedRows } from "./curated";
import { inferenceError } from "./errors";
import { ChunkScorer } from "./endpoint";
import { FindingGroup, findingsCsv, groupFindings } from "./findings";
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
/** RegistryError code for a detector (or other reference) the registry does not hold. */
const UNKNOWN_REFERENCE = "unknown_reference";

/** A curated key's source kind: curated/realtime/... came through the stream, the rest in batch. */
export function sourceOf(key: string): DataFileSource {
    return key.startsWith(`${PREFIX.curated}${REALTIME_SUBPREFIX}`) ? "stream" : "batch";
}

export async function runInference(event: ObjectCreatedEvent, deps: InferenceDeps): Promise<InferenceResult> {
    const log = deps.log ?? (() => undefined);
    const source = parseObjectCreated(event, deps.bucket);
    if (!source.key.startsWith(PREFIX.curated)) throw inferenceError("NotCuratedError", `${source.key} is not under ${PREFIX.curated}`);

    const object = await deps.s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: source.key, VersionId: source.versionId }));
    const scored = await scoreRows(readCuratedRows(object.Body as Readable), deps.scorer, { limitBytes: deps.limitBytes, concurrency: deps.concurrency });
    // S3's own content tag: stable for the object, no second pass over the data.
    const checksum = `etag:${(object.ETag ?? "").replace(/"/g, "")}`;

    const ownerOf = await resolveOwners(scored.rows.map((r) => ({ detector: r.detectorId, atMs: Date.parse(r.timestamp) })), deps.registry.ownersAt);
    const groups = groupFindings(scored.rows, (r) => ownerOf(r.detectorId, Date.parse(r.timestamp)), source.key, deps.alertThreshold);

    for (const group of groups) {
        await deps.s3.send(new PutObjectCommand({
            Bucket: deps.bucket, Key: group.key, Body: findingsCsv(group, deps.alertThreshold), ContentType: "text/csv",
        }));
    }
    const recorded: RecordedGroup[] = [];
    for (const group of groups.filter((g) => g.owner)) {
        const { id } = await deps.registry.recordFinding({
            clientId: group.owner!.clientId,
            projectId: group.owner!.projectId,
            detector: { serial: group.detector },
            s3Key: group.key,
            periodStart: group.periodStart,
            periodEnd: group.periodEnd,
            severity: group.severity,
            summary: summary(group),
            score: group.maxScore,
        });
        recorded.push({ ...group, findingId: id });
    }
    const unknownDetectors = await recordDataFiles(scored.rows, source.key, checksum, deps.registry);

    const unassigned = groups.filter((g) => !g.owner);
    const unassignedRows = unassigned.reduce((n, g) => n + g.rows.length, 0);
    if (unassignedRows > 0) {
        log("readings without a deployment", {
            sourceKey: source.key, unassignedRows, detectors: [...new Set(unassigned.map((g) => g.detector))], unknownDetectors, keys: unassigned.map((g) => g.key),
        });
    }
    const alerts = clientAlerts(recorded, deps.alertThreshold);
    for (const alert of alerts) await publish(deps, alert);

    const result: InferenceResult = {
        sourceKey: source.key,
        rows: scored.rows.length,
        chunks: scored.chunks,
        findings: groups.map((g) => ({ key: g.key, findingId: recorded.find((r) => r.key === g.key)?.findingId, rows: g.rows.length, severity: g.severity })),
        unassignedRows,
        alertingRows: groups.reduce((n, g) => n + g.alertCount, 0),
        messages: alerts.length,
    };
    log("inference done", { ...result, findings: result.findings.length });
    return result;
}

function summary(group: FindingGroup): string {
    return `${group.rows.length} readings scored, ${group.alertCount} at or above the alert threshold, highest score ${group.maxScore.toFixed(4)}`;
}

/**
 * One data-file record per detector in the object, so stream data (which no conversion step
 * registers) shows when each detector last reported. Detectors the registry does not know are
 * skipped and returned: their readings are already reported as unassigned.
 */
async function recordDataFiles(rows: ScoredRow[], key: string, checksum: string, registry: RegistryPort): Promise<string[]> {
    const unknown: string[] = [];
    const perDetector = new Map<string, { count: number; first: number; last: number }>();
    for (const r of rows) {
        const t = Date.parse(r.timestamp);
        const d = perDetector.get(r.detectorId) ?? { count: 0, first: t, last: t };
        perDetector.set(r.detectorId, { count: d.count + 1, first: Math.min(d.first, t), last: Math.max(d.last, t) });
    }
    for (const [serial, d] of perDetector) {
        try {
            await registry.recordDataFile({
                detector: { serial }, s3Key: key, source: sourceOf(key), checksum,
                rowsIn: d.count, rowsOut: d.count, rowsQuarantined: 0, status: "converted",
                firstReadingAt: new Date(d.first), lastReadingAt: new Date(d.last),
            });
        } catch (error) {
            if ((error as { code?: string }).code !== UNKNOWN_REFERENCE) throw error;
            unknown.push(serial);
        }
    }
    return unknown;
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
