/**
 * Who owned each reading: the deployment of its detector at the reading's time, start
 * inclusive, end exclusive. The registry is asked once per object (per MAX_SPAN_SERIALS
 * detectors, in parallel) for every deployment overlapping the object's time range; each
 * reading is then routed locally by binary search over its detector's spans, which never
 * overlap (the registry's trigger refuses overlapping deployments).
 */
import type { Owner, OwnerSpan } from "../registry/types";
import { MAX_SPAN_SERIALS } from "../registry/owner-spans";

export type OwnerSpans = (serials: string[], from: Date, to: Date) => Promise<OwnerSpan[]>;

/** Lookup by detector serial and epoch ms; undefined = no deployment covered the reading. */
export type OwnerOf = (detector: string, atMs: number) => Owner | undefined;

export function ownerLookup(spans: readonly OwnerSpan[]): OwnerOf {
    const byDetector = new Map<string, OwnerSpan[]>();
    for (const s of spans) {
        const list = byDetector.get(s.serial);
        if (list) list.push(s); else byDetector.set(s.serial, [s]);
    }
    for (const list of byDetector.values()) list.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    return (detector, atMs) => {
        const list = byDetector.get(detector);
        if (!list) return undefined;
        // Last span starting at or before atMs.
        let lo = 0, hi = list.length - 1, found = -1;
        while (lo <= hi) {
            const mid = (lo + hi) >> 1;
            if (list[mid].startsAt.getTime() <= atMs) { found = mid; lo = mid + 1; } else hi = mid - 1;
        }
        const span = list[found]; // undefined when found is -1: no span starts at or before atMs
        return span && (span.endsAt === undefined || atMs < span.endsAt.getTime()) ? span.owner : undefined;
    };
}

/** Owners for every reading of an object, in ceil(detectors / MAX_SPAN_SERIALS) parallel registry calls. */
export async function resolveOwners(readings: Iterable<{ detector: string; atMs: number }>, ownerSpans: OwnerSpans): Promise<OwnerOf> {
    const serials = new Set<string>();
    let from = Infinity, to = -Infinity;
    for (const r of readings) {
        serials.add(r.detector);
        from = Math.min(from, r.atMs);
        to = Math.max(to, r.atMs);
    }
    // No readings: no batch, no registry call, and a lookup that knows no detector.
    const all = [...serials];
    const batches: string[][] = [];
    for (let i = 0; i < all.length; i += MAX_SPAN_SERIALS) batches.push(all.slice(i, i + MAX_SPAN_SERIALS));
    const spans = await Promise.all(batches.map((b) => ownerSpans(b, new Date(from), new Date(to))));
    return ownerLookup(spans.flat());
}
