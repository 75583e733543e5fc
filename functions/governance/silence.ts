/**
 * Detector silence: which actively deployed detectors have sent nothing for a while. Remote
 * detectors fail silently (power, SD card, network), so this is the alert ops need most.
 *
 * The cost stays flat as the fleet grows: one metric, SilentDetectors (the count), published
 * through CloudWatch's embedded metric format in the function's own log output (no API call,
 * so it works from the VPC without an endpoint), and one log line per silent detector for the
 * list. A metric per detector would cost $0.30 a month each.
 */
import type { SilentDeployment } from "../registry/types";

export const METRIC_NAMESPACE = "mdetect/Detectors";
export const SILENT_DETECTORS_METRIC = "SilentDetectors";
/** The `event` field of the per-detector log lines, what the Logs Insights query filters on. */
export const SILENT_EVENT = "detector-silent";

/**
 * A detector is silent when its latest reading is older than `now - silenceMinutes`. Readings
 * exactly at the cutoff still count as heard; deployments started after it get their window.
 */
export function silenceCutoff(now: Date, silenceMinutes: number): Date {
    if (!Number.isInteger(silenceMinutes) || silenceMinutes < 1) throw new Error(`silenceMinutes must be a positive integer, got ${silenceMinutes}`);
    if (Number.isNaN(now.getTime())) throw new Error("now is not a valid date");
    return new Date(now.getTime() - silenceMinutes * 60_000);
}

/**
 * The time a run checks for: the tick of its schedule (the Scheduled Event's `time`), so a run
 * Lambda retries minutes later still reports that tick and its datapoint lands there; the
 * current time when invoked without one (by hand).
 */
export function checkTime(event: { readonly time?: unknown } | null | undefined, now: () => Date = () => new Date()): Date {
    const time = event?.time;
    if (time === undefined) return now();
    const at = typeof time === "string" ? new Date(time) : new Date(Number.NaN);
    if (Number.isNaN(at.getTime())) throw new Error(`the event's time ${JSON.stringify(time)} is not a timestamp`);
    return at;
}

/** Log lines: one per silent detector, then the metric record (EMF) with the count. */
export function silenceLogLines(silent: readonly SilentDeployment[], now: Date, cutoff: Date, stack: string): string[] {
    const details = silent.map((d) => JSON.stringify({
        event: SILENT_EVENT,
        serial: d.serial,
        detectorId: d.detectorId,
        deploymentId: d.deploymentId,
        clientId: d.clientId,
        projectId: d.projectId,
        siteId: d.siteId,
        lastReadingAt: d.lastReadingAt?.toISOString() ?? null,
        silentSince: cutoff.toISOString(),
    }));
    const metric = JSON.stringify({
        _aws: {
            Timestamp: now.getTime(),
            CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [["Stack"]], Metrics: [{ Name: SILENT_DETECTORS_METRIC, Unit: "Count" }] }],
        },
        Stack: stack,
        [SILENT_DETECTORS_METRIC]: silent.length,
        event: "silence-check",
        cutoff: cutoff.toISOString(),
    });
    return [...details, metric];
}

export interface SilenceCheckDeps {
    readonly findSilent: (cutoff: Date) => Promise<readonly SilentDeployment[]>;
    readonly now: Date;
    readonly silenceMinutes: number;
    readonly stack: string;
    /** Writes one line to the log (in Lambda, straight to stdout so EMF is extracted). */
    readonly write: (line: string) => void;
}

/** Runs one check; the metric is written on every run, 0 included, so the alarm sees the check alive. */
export async function checkSilence(deps: SilenceCheckDeps): Promise<{ silent: number; cutoff: string }> {
    const cutoff = silenceCutoff(deps.now, deps.silenceMinutes);
    const silent = await deps.findSilent(cutoff);
    for (const line of silenceLogLines(silent, deps.now, cutoff, deps.stack)) deps.write(line);
    return { silent: silent.length, cutoff: cutoff.toISOString() };
}

/** The Logs Insights query that lists the detectors behind an alarm (in the alarm's description). */
export function silentDetectorsQuery(): string {
    return `fields @timestamp, serial, lastReadingAt, clientId, projectId, siteId | filter event = "${SILENT_EVENT}" | sort @timestamp desc | limit 200`;
}
