/**
 * Duplicate detection with memory bounded by the number of gaps in each detector's sequence, not
 * by the number of readings: seq increases per detector, so a whole file's seqs collapse into a
 * few contiguous runs [start, end] per detector.
 */

/** The set of seqs seen for one detector, as sorted, disjoint, non-adjacent inclusive runs. */
export class SeqRanges {
    private readonly starts: number[] = [];
    private readonly ends: number[] = [];

    /** Number of runs held (the memory the set takes). */
    get runCount(): number {
        return this.starts.length;
    }

    /** Adds seq; false when it was already present. */
    add(seq: number): boolean {
        const last = this.ends.length - 1;
        // Fast path: in-order readings extend the last run or start a new one after it.
        if (last < 0 || seq > this.ends[last] + 1) {
            this.starts.push(seq);
            this.ends.push(seq);
            return true;
        }
        if (seq === this.ends[last] + 1) {
            this.ends[last] = seq;
            return true;
        }
        // Out of order: find the first run whose end is >= seq - 1.
        let lo = 0;
        let hi = last;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (this.ends[mid] < seq - 1) lo = mid + 1;
            else hi = mid;
        }
        if (this.starts[lo] <= seq && seq <= this.ends[lo]) return false;
        if (this.ends[lo] === seq - 1) {
            this.ends[lo] = seq;
            if (lo + 1 < this.starts.length && this.starts[lo + 1] === seq + 1) {
                this.ends[lo] = this.ends[lo + 1];
                this.starts.splice(lo + 1, 1);
                this.ends.splice(lo + 1, 1);
            }
        } else if (this.starts[lo] === seq + 1) {
            this.starts[lo] = seq;
        } else {
            this.starts.splice(lo, 0, seq);
            this.ends.splice(lo, 0, seq);
        }
        return true;
    }

    has(seq: number): boolean {
        let lo = 0;
        let hi = this.starts.length - 1;
        while (lo <= hi) {
            const mid = (lo + hi) >> 1;
            if (seq < this.starts[mid]) hi = mid - 1;
            else if (seq > this.ends[mid]) lo = mid + 1;
            else return true;
        }
        return false;
    }

    /** The runs, for tests and diagnostics. */
    runs(): Array<[number, number]> {
        return this.starts.map((s, i) => [s, this.ends[i]]);
    }
}

/** Seen (detector_id, seq) keys of one file or record. */
export class DuplicateTracker {
    private readonly byDetector = new Map<string, SeqRanges>();

    /** Records the key; false when it is a duplicate. */
    add(detectorId: string, seq: number): boolean {
        let ranges = this.byDetector.get(detectorId);
        if (!ranges) {
            ranges = new SeqRanges();
            this.byDetector.set(detectorId, ranges);
        }
        return ranges.add(seq);
    }

    detectors(): string[] {
        return [...this.byDetector.keys()].sort();
    }

    /** Total runs over all detectors: the size of the structure. */
    get runCount(): number {
        let total = 0;
        for (const ranges of this.byDetector.values()) total += ranges.runCount;
        return total;
    }
}
