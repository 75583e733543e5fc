/**
 * Who owned each reading: the deployment of its detector at the reading's time.
 *
 * Deployments of one detector never overlap and each covers one interval, so when two readings
 * of a detector resolve to the same deployment, every reading between them does too. Owners are
 * therefore looked up at the first and last reading of each detector and then by bisection
 * between differing answers only: a file within one deployment costs two lookups per detector,
 * a deployment boundary about log2(readings) more. Lookups are batched per round.
 */
import type { Owner } from "../registry/types";
import type { OwnerQuery } from "../registry/deployments";

export type OwnersAt = (queries: OwnerQuery[]) => Promise<(Owner | undefined)[]>;

/** Lookups per registry call: within the DAL's MAX_OWNER_BATCH (1000), ~50 KB of invoke payload. */
export const MAX_OWNER_QUERIES_PER_CALL = 500;

const UNKNOWN = null;
type Slot = Owner | undefined | typeof UNKNOWN;

interface Track {
    readonly detector: string;
    /** Distinct reading times in ms, ascending. */
    readonly times: number[];
    readonly owners: Slot[];
}

/**
 * Resolves the owner of every (detector serial, time) pair. Returns a lookup by detector and
 * epoch milliseconds; undefined means no deployment covered that reading.
 */
export async function resolveOwners(
    readings: Iterable<{ detector: string; atMs: number }>,
    ownersAt: OwnersAt,
): Promise<(detector: string, atMs: number) => Owner | undefined> {
    const timesByDetector = new Map<string, Set<number>>();
    for (const r of readings) {
        let set = timesByDetector.get(r.detector);
        if (!set) timesByDetector.set(r.detector, set = new Set());
        set.add(r.atMs);
    }
    const tracks: Track[] = [...timesByDetector].map(([detector, set]) => {
        const times = [...set].sort((a, b) => a - b);
        return { detector, times, owners: new Array<Slot>(times.length).fill(UNKNOWN) };
    });

    let wanted = tracks.flatMap((t) => [...new Set([0, t.times.length - 1])].map((i) => ({ track: t, index: i })));
    while (wanted.length > 0) {
        for (let start = 0; start < wanted.length; start += MAX_OWNER_QUERIES_PER_CALL) {
            const batch = wanted.slice(start, start + MAX_OWNER_QUERIES_PER_CALL);
            const answers = await ownersAt(batch.map((w) => ({ detector: { serial: w.track.detector }, at: new Date(w.track.times[w.index]) })));
            if (answers.length !== batch.length) throw new Error(`registry answered ${answers.length} owner lookups for ${batch.length}`);
            batch.forEach((w, i) => { w.track.owners[w.index] = answers[i]; });
        }
        wanted = tracks.flatMap((t) => nextLookups(t).map((index) => ({ track: t, index })));
    }

    const byDetector = new Map(tracks.map((t) => [t.detector, t]));
    return (detector, atMs) => {
        const track = byDetector.get(detector);
        const index = track ? binarySearch(track.times, atMs) : -1;
        if (!track || index < 0) throw new Error(`no owner resolved for ${detector} at ${new Date(atMs).toISOString()}`);
        return track.owners[index] as Owner | undefined;
    };
}

/** Fills gaps between equal known deployments; returns the midpoints still to look up. */
function nextLookups(track: Track): number[] {
    const { owners } = track;
    const lookups: number[] = [];
    let left = 0;
    for (let right = 1; right < owners.length; right++) {
        if (owners[right] === UNKNOWN) continue;
        if (right - left > 1) {
            const a = owners[left];
            const b = owners[right];
            if (a && b && a.deploymentId === b.deploymentId) owners.fill(a, left + 1, right);
            else lookups.push((left + right) >> 1);
        }
        left = right;
    }
    return lookups;
}

function binarySearch(sorted: number[], value: number): number {
    let lo = 0;
    let hi = sorted.length - 1;
    while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid] === value) return mid;
        if (sorted[mid] < value) lo = mid + 1;
        else hi = mid - 1;
    }
    return -1;
}
