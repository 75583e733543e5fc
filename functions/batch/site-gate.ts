/**
 * What a file uploaded for a site may contain: readings of detectors deployed at that site at
 * the reading's time ([startsAt, endsAt) from the registry). Any other reading, whatever its
 * other merits, is quarantined as identity-mismatch, so a dump carried from one site cannot
 * put readings into another site's (or another client's) data.
 */
import { LambdaClient } from "@aws-sdk/client-lambda";
import { invokeRegistry } from "../registry/access-client";
import { IdentityGate } from "../telemetry/tally";

export interface DeploymentWindow {
    readonly serial: string;
    /** Dates, or ISO strings as they arrive through the registry access Lambda. */
    readonly startsAt: Date | string;
    readonly endsAt: Date | string | null;
}

export type SiteDeploymentsSource = (siteId: string) => Promise<DeploymentWindow[]>;

/** Site ids are lowercase UUIDs (functions/api/upload-routes.ts); no other folder names a registered site. */
const SITE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A folder that is not a site id has no deployments: its readings are all quarantined (a
 * registry call would only fail the event again and again).
 */
export function registrySiteDeployments(lambda: LambdaClient, functionName: string): SiteDeploymentsSource {
    return async (siteId) => (SITE_ID.test(siteId) ? invokeRegistry<DeploymentWindow[]>(lambda, functionName, { op: "siteDeployments", args: { siteId } }) : []);
}

export function siteGate(siteId: string, deployments: readonly DeploymentWindow[]): IdentityGate {
    // Built per upload, at run time (a module-level Map would not survive serialization).
    const windows = new Map<string, [number, number][]>();
    for (const d of deployments) {
        const list = windows.get(d.serial) ?? [];
        list.push([new Date(d.startsAt).getTime(), d.endsAt === null ? Infinity : new Date(d.endsAt).getTime()]);
        windows.set(d.serial, list);
    }
    return (reading) => {
        const spans = windows.get(reading.detector_id);
        const at = Date.parse(reading.timestamp);
        if (spans?.some(([start, end]) => start <= at && at < end)) return undefined;
        const id = JSON.stringify(reading.detector_id);
        return {
            kind: "identity-mismatch",
            reason: spans ? `detector ${id} was not deployed at site ${siteId} at ${reading.timestamp}` : `detector ${id} was never deployed at site ${siteId}`,
        };
    };
}
