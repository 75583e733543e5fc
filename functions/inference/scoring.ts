/**
 * Streams rows into chunks and scores them with bounded concurrency, joining each score back to
 * its row. Any chunk that finally fails fails the whole file: nothing is written for it.
 */
import { Chunk, Chunker } from "./chunking";
import { CuratedRow } from "./curated";
import { ChunkScorer } from "./endpoint";

export interface ScoredRow {
    readonly detectorId: string;
    readonly timestamp: string;
    readonly seq: string;
    readonly score: number;
}

export interface ScoringOptions {
    readonly limitBytes: number;
    /** Chunks in flight at once (the endpoint's concurrency is the useful ceiling). */
    readonly concurrency: number;
}

export interface ScoringResult {
    readonly rows: ScoredRow[];
    readonly chunks: number;
}

export async function scoreRows(rows: AsyncIterable<CuratedRow>, scorer: ChunkScorer, options: ScoringOptions): Promise<ScoringResult> {
    const chunker = new Chunker<CuratedRow>(options.limitBytes);
    const results: ScoredRow[][] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;

    const launch = (chunk: Chunk<CuratedRow>) => {
        const index = results.push([]) - 1;
        const task: Promise<void> = scorer(chunk.body, chunk.items.length)
            .then((scores) => {
                results[index] = chunk.items.map((r, i) => ({ detectorId: r.detectorId, timestamp: r.timestamp, seq: r.seq, score: scores[i] }));
            })
            .catch((error) => { failure ??= { error }; })
            .finally(() => inFlight.delete(task));
        inFlight.add(task);
    };
    const throttle = async () => {
        while (inFlight.size >= options.concurrency && !failure) await Promise.race(inFlight);
        if (failure) throw failure.error;
    };

    try {
        for await (const row of rows) {
            const full = chunker.add(row, row.features);
            if (full) {
                await throttle();
                launch(full);
            }
        }
        const last = chunker.flush();
        if (last) {
            await throttle();
            launch(last);
        }
    } finally {
        // Never leave requests running behind a failure (a read error included).
        await Promise.all(inFlight);
    }
    if (failure) throw failure.error;
    return { rows: results.flat(), chunks: results.length };
}
