/**
 * Inference benchmark: rows per second scored by one inference run against the local
 * SageMaker endpoint (tests/helpers/sagemaker-server.ts, serving the sample model): gunzip,
 * parse, chunk under the serverless payload limit, InvokeEndpoint through the real SDK with the
 * Lambda's concurrency, parse and join the scores. The model itself costs next to nothing here,
 * so the figure is the Lambda side's ceiling, not SageMaker's.
 * Target: a 64 MiB Firehose object (~500k readings) scored in under a tenth of the Lambda timeout.
 */
import { gzipSync } from "zlib";
import { Readable } from "stream";
import { PAYLOAD_LIMIT_BYTES, ID_COLUMNS, FEATURES } from "../../functions/inference/contract";
import { readCuratedRows } from "../../functions/inference/curated";
import { endpointScorer } from "../../functions/inference/endpoint";
import { scoreRows } from "../../functions/inference/scoring";
import { INFERENCE_TIMEOUT_SECONDS } from "../../infra/inference";
import { SageMakerServer } from "../../tests/helpers/sagemaker-server";
import { BenchResult } from "../lib/bench";

export const name = "inference: rows/s scored through the local endpoint (one run, serverless chunking)";

const ROWS = Number(process.env.MDETECT_BENCH_INFERENCE_ROWS ?? 500_000);
const RUNS = Number(process.env.MDETECT_BENCH_RUNS ?? 3);
const DETECTORS = 50;
/** The dev stack's mdetect:serverlessMaxConcurrency default. */
const CONCURRENCY = 5;
/** Baseline in the same run: one row per request, one request at a time (what calling the endpoint per reading would do). */
const BASELINE_ROWS = 2_000;
/** Over one feature row (at most ~40 bytes here) and under two: every request carries exactly one row. */
const ONE_ROW_BYTES = 50;
/** ~500k readings fill a 64 MiB Firehose object; they must score in a tenth of the timeout. */
const TARGET_ROWS_PER_SECOND = 500_000 / (INFERENCE_TIMEOUT_SECONDS / 10);

function curatedObject(rows: number): Buffer {
    const start = Date.UTC(2025, 0, 1);
    const lines = [[...ID_COLUMNS, ...FEATURES].join(",")];
    for (let i = 0; i < rows; i++) {
        const detector = `MD-${String(1000 + (i % DETECTORS)).padStart(4, "0")}`;
        const t = new Date(start + Math.floor(i / DETECTORS) * 1000).toISOString();
        lines.push(`${detector},${t},${i},${90 + (i % 23)},${i % 11},0.9987,${(i % 90).toFixed(1)},${(i * 7) % 360},1012.4,21.3,${100 + (i % 5)}`);
    }
    return gzipSync(lines.join("\n") + "\n");
}

export async function run(): Promise<BenchResult> {
    const limitBytes = PAYLOAD_LIMIT_BYTES.serverless;
    const server = await new SageMakerServer({ limitBytes }).start();
    const object = curatedObject(ROWS);
    const rates: number[] = [];
    let chunks = 0;
    let baseline = 0;
    try {
        const scorer = endpointScorer({ client: server.client(), endpointName: server.endpointName });
        const baselineStarted = process.hrtime.bigint();
        const perRow = await scoreRows(readCuratedRows(Readable.from([curatedObject(BASELINE_ROWS)])), scorer, { limitBytes: ONE_ROW_BYTES, concurrency: 1 });
        if (perRow.chunks !== BASELINE_ROWS) throw new Error(`baseline sent ${perRow.chunks} requests for ${BASELINE_ROWS} rows`);
        baseline = BASELINE_ROWS / (Number(process.hrtime.bigint() - baselineStarted) / 1e9);
        for (let i = 0; i < RUNS; i++) {
            const started = process.hrtime.bigint();
            const result = await scoreRows(readCuratedRows(Readable.from([object])), scorer, { limitBytes, concurrency: CONCURRENCY });
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            if (result.rows.length !== ROWS) throw new Error(`scored ${result.rows.length} of ${ROWS} rows`);
            rates.push(ROWS / seconds);
            chunks = result.chunks;
        }
    } finally {
        await server.stop();
    }
    const median = [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)];
    const largest = Math.max(...server.invocations.slice(BASELINE_ROWS).map((i) => i.bytes));
    return {
        lines: [
            `${ROWS} rows (${(object.length / 2 ** 20).toFixed(1)} MiB gzip), ${chunks} chunks per run (largest ${largest} bytes, limit ${limitBytes}), concurrency ${CONCURRENCY}, ${RUNS} runs`,
            `rows/s: median ${Math.round(median)} (runs: ${rates.map((r) => Math.round(r)).join(", ")}); target >= ${Math.round(TARGET_ROWS_PER_SECOND)}`,
            `baseline, one row per request, sequential (${BASELINE_ROWS} rows): ${Math.round(baseline)} rows/s; chunked is ${(median / baseline).toFixed(0)}x faster`,
        ],
        targetsMet: median >= TARGET_ROWS_PER_SECOND,
    };
}
