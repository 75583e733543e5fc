/**
 * Inference benchmark: rows per second scored by one inference run (gunzip, parse, chunk under
 * the serverless payload limit, InvokeEndpoint through the real SDK with the Lambda's
 * concurrency, parse and join the scores) against two local endpoints in the same command:
 * - the real model: the example model trained and packaged as `mdetect model train|package` do,
 *   served by its own code/inference.py under scikit-learn 1.2 (scripts/lib/local-endpoint.ts);
 * - the JSON stand-in (scripts/lib/stand-in-endpoint.ts), whose model costs next to nothing: the
 *   Lambda side's ceiling. The real model's figure over it is the share the model takes.
 * Target: a 64 MiB Firehose object (~500k readings) scored in under a tenth of the Lambda timeout.
 */
import { gzipSync } from "zlib";
import { Readable } from "stream";
import { PAYLOAD_LIMIT_BYTES, ID_COLUMNS, FEATURES } from "../../functions/inference/contract";
import { readCuratedRows } from "../../functions/inference/curated";
import { endpointScorer } from "../../functions/inference/endpoint";
import { scoreRows } from "../../functions/inference/scoring";
import { INFERENCE_TIMEOUT_SECONDS } from "../../infra/inference";
import { SageMakerServer } from "../lib/stand-in-endpoint";
import { packageModel, scratchDir, trainModel } from "../commands/model";
import { BenchResult } from "../lib/bench";
import { LocalEndpoint, ScoringEndpoint } from "../lib/local-endpoint";
import { modelPython } from "../lib/local-endpoint-python";

export const name = "inference: rows/s scored through the local endpoint, real model vs stand-in (one run, serverless chunking)";

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
/** Training rows of the benchmarked model: as `mdetect model train` defaults. */
const TRAINING_ROWS = 20_000;

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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** RUNS inference runs over the object; rows/s of each and the chunks of the last. */
async function measure(endpoint: ScoringEndpoint, object: Buffer): Promise<{ rates: number[]; chunks: number }> {
    const scorer = endpointScorer({ client: endpoint.client(), endpointName: endpoint.endpointName });
    const rates: number[] = [];
    let chunks = 0;
    for (let i = 0; i < RUNS; i++) {
        const started = process.hrtime.bigint();
        const result = await scoreRows(readCuratedRows(Readable.from([object])), scorer, { limitBytes: PAYLOAD_LIMIT_BYTES.serverless, concurrency: CONCURRENCY });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (result.rows.length !== ROWS) throw new Error(`scored ${result.rows.length} of ${ROWS} rows`);
        rates.push(ROWS / seconds);
        chunks = result.chunks;
    }
    return { rates, chunks };
}

/** The example model, trained and packaged fresh; undefined (with the reason) where no Python with scikit-learn 1.2 exists. */
async function realModel(): Promise<{ endpoint?: LocalEndpoint; note: string }> {
    const python = modelPython();
    if (!python.ok) return { note: `real model: skipped, ${python.reason}` };
    const dir = scratchDir();
    await trainModel({ out: `${dir}/model.joblib`, rows: TRAINING_ROWS });
    await packageModel(`${dir}/model.joblib`, `${dir}/model.tar.gz`);
    const endpoint = await LocalEndpoint.start({ artifact: `${dir}/model.tar.gz`, limitBytes: PAYLOAD_LIMIT_BYTES.serverless });
    return { endpoint, note: `real model: example HistGradientBoostingClassifier (${TRAINING_ROWS} training rows) under ${python.python}, scikit-learn ${python.sklearn}` };
}

export async function run(): Promise<BenchResult> {
    const limitBytes = PAYLOAD_LIMIT_BYTES.serverless;
    const server = await new SageMakerServer({ limitBytes }).start();
    const object = curatedObject(ROWS);
    let standIn: { rates: number[]; chunks: number };
    let real: { rates: number[]; chunks: number } | undefined;
    let baseline = 0;
    const model = await realModel();
    try {
        const scorer = endpointScorer({ client: server.client(), endpointName: server.endpointName });
        const baselineStarted = process.hrtime.bigint();
        const perRow = await scoreRows(readCuratedRows(Readable.from([curatedObject(BASELINE_ROWS)])), scorer, { limitBytes: ONE_ROW_BYTES, concurrency: 1 });
        if (perRow.chunks !== BASELINE_ROWS) throw new Error(`baseline sent ${perRow.chunks} requests for ${BASELINE_ROWS} rows`);
        baseline = BASELINE_ROWS / (Number(process.hrtime.bigint() - baselineStarted) / 1e9);
        standIn = await measure(server, object);
        if (model.endpoint) real = await measure(model.endpoint, object);
    } finally {
        await server.stop();
        await model.endpoint?.stop();
    }
    const largest = Math.max(...server.invocations.slice(BASELINE_ROWS).map((i) => i.bytes));
    const standInMedian = median(standIn.rates);
    const runs = (rates: number[]) => rates.map((r) => Math.round(r)).join(", ");
    const lines = [
        `${ROWS} rows (${(object.length / 2 ** 20).toFixed(1)} MiB gzip), ${standIn.chunks} chunks per run (largest ${largest} bytes, limit ${limitBytes}), concurrency ${CONCURRENCY}, ${RUNS} runs each`,
        model.note,
    ];
    if (real) {
        const realMedian = median(real.rates);
        lines.push(`real model rows/s: median ${Math.round(realMedian)} (runs: ${runs(real.rates)}); target >= ${Math.round(TARGET_ROWS_PER_SECOND)}`);
        lines.push(`stand-in rows/s: median ${Math.round(standInMedian)} (runs: ${runs(standIn.rates)}); the real model runs at ${(realMedian / standInMedian).toFixed(2)}x the stand-in`);
    } else {
        lines.push(`stand-in rows/s: median ${Math.round(standInMedian)} (runs: ${runs(standIn.rates)}); target >= ${Math.round(TARGET_ROWS_PER_SECOND)}`);
    }
    lines.push(`baseline, one row per request, sequential, stand-in (${BASELINE_ROWS} rows): ${Math.round(baseline)} rows/s; chunked stand-in is ${(standInMedian / baseline).toFixed(0)}x faster`);
    return { lines, targetsMet: median(real?.rates ?? standIn.rates) >= TARGET_ROWS_PER_SECOND };
}
