/**
 * Client alerts: one SNS message per client whose findings in this file have alerting rows,
 * with message attributes client_id (each e-mail subscription filters on it) and severity.
 * The message says what was found and how to fetch it through the API; it never carries a
 * presigned URL (e-mail is forwarded and archived; a URL in it would be a bearer token).
 */
import type { Severity } from "../registry/types";
import { FindingGroup, SEVERITY } from "./findings";

export interface RecordedGroup extends FindingGroup {
    /** Registry id of the finding (what the API's download route takes). */
    readonly findingId: string;
}

export interface ClientAlert {
    readonly clientId: string;
    readonly severity: Severity;
    readonly subject: string;
    readonly message: string;
}

/** SNS e-mail subjects: at most 100 printable ASCII characters. */
const SUBJECT_MAX = 100;

const iso = (d: Date) => d.toISOString().replace(/\.000Z$/, "Z");

export function clientAlerts(groups: RecordedGroup[], alertThreshold: number): ClientAlert[] {
    const byClient = new Map<string, RecordedGroup[]>();
    for (const g of groups) {
        if (!g.owner || g.alertCount === 0) continue;
        const list = byClient.get(g.owner.clientId);
        if (list) list.push(g);
        else byClient.set(g.owner.clientId, [g]);
    }
    return [...byClient].sort(([a], [b]) => a.localeCompare(b)).map(([clientId, list]) => {
        const detectors = [...new Set(list.flatMap((g) => g.alertingDetectors))].sort();
        const sites = [...new Set(list.flatMap((g) => g.siteIds))].sort();
        const count = list.reduce((n, g) => n + g.alertCount, 0);
        const highest = Math.max(...list.map((g) => g.maxScore));
        const from = new Date(Math.min(...list.map((g) => g.periodStart.getTime())));
        const to = new Date(Math.max(...list.map((g) => g.periodEnd.getTime())));
        const subject = `mDetect alert: ${count} reading${count === 1 ? "" : "s"} on ${detectors.length === 1 ? detectors[0] : `${detectors.length} detectors`}`;
        const message = [
            `mDetect's model scored ${count} reading${count === 1 ? "" : "s"} at or above the alert threshold (${alertThreshold}).`,
            "",
            `Detector${detectors.length === 1 ? "" : "s"}: ${detectors.join(", ")}`,
            `Site${sites.length === 1 ? "" : "s"}: ${sites.join(", ")}`,
            `Period (UTC): ${iso(from)} to ${iso(to)}`,
            `Alerting readings: ${count}`,
            `Highest score: ${highest.toFixed(4)}`,
            "",
            "Fetch the findings through the mDetect client API (sign in first; links are issued per request):",
            `  GET /v1/findings?from=${encodeURIComponent(iso(from))}&to=${encodeURIComponent(iso(to))}`,
            ...list.map((g) => `  GET /v1/findings/${g.findingId}/download   (project ${g.owner!.projectId}, ${g.alertingDetectors.join(", ")}: ${g.alertCount} alerting)`),
        ].join("\n");
        return { clientId, severity: SEVERITY.alert, subject: subject.slice(0, SUBJECT_MAX), message };
    });
}
