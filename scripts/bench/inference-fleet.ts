/**
 * Inference at fleet scale (issue 17): the real handler (functions/inference/handler.ts) on one
 * full curated Firehose object at 20,000 detectors, against local S3 (s3rver), the real MariaDB
 * registry (owner spans and the batched write through the data-access layer, plus a modelled
 * access-Lambda hop per call) and a stand-in endpoint whose latency per request follows the
 * cost model's serverless figures (ENDPOINT_REQUEST_SECONDS + rows / SERVERLESS_ROWS_PER_SECOND).
 * Baseline in the same run: the same object with chunks scored one at a time (concurrency 1).
 * Target: under a quarter of the function's timeout.
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { randomUUID } from "crypto";
import { gzipSync } from "zlib";
import { FEATURES, ID_COLUMNS, PAYLOAD_LIMIT_BYTES } from "../../functions/inference/contract";
import { runInference } from "../../functions/inference/handler";
import { dalRegistry } from "../../functions/inference/registry-dal";
import { RegistryPort } from "../../functions/inference/registry-port";
import { INFERENCE_TIMEOUT_SECONDS } from "../../infra/inference";
import { ENDPOINT_REQUEST_SECONDS, REGISTRY_ROUND_TRIP_SECONDS, SERVERLESS_ROWS_PER_SECOND } from "../../policy/lib/cost/model";
import { withTestDatabase } from "../../tests/helpers/db";
import { startLocalS3 } from "../../tests/helpers/s3";
import { BenchResult } from "../lib/bench";

export const name = "inference at 20,000 detectors: one full Firehose object through the handler (s3rver, MariaDB, modelled endpoint)";

const DETECTORS = Number(process.env.MDETECT_BENCH_FLEET_DETECTORS ?? 20_000);
const CLIENTS = 10;
const PROJECTS_PER_CLIENT = 2;
/** A 64 MiB curated buffer of ~110-byte CSV rows: at 20,000 detectors it fills in ~30 s. */
const OBJECT_CSV_BYTES = 64 * 1024 * 1024;
/** The dev stack's mdetect:serverlessMaxConcurrency default. */
const CONCURRENCY = 5;
const BUCKET = "lake";
const T0 = Date.UTC(2026, 0, 1, 10, 59, 50);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function curatedObject(rows: number): Buffer {
    const lines = [[...ID_COLUMNS, ...FEATURES].join(",")];
    for (let i = 0; i < rows; i++) {
        const detector = `MD-F${String(i % DETECTORS).padStart(5, "0")}`;
        const t = new Date(T0 + Math.floor(i / DETECTORS) * 1000).toISOString();
        lines.push(`${detector},${t},${i},${90 + (i % 23)},${i % 11},0.9987,${(i % 90).toFixed(1)},${(i * 7) % 360},1012.4,21.3,${100 + (i % 5)}`);
    }
    return gzipSync(lines.join("\n") + "\n");
}

/** Clients, projects and one active deployment per detector, in bulk (the DAL's one-by-one path would take minutes). */
async function seedRegistry(pool: import("mysql2/promise").Pool): Promise<void> {
    const site = randomUUID();
    await pool.query("INSERT INTO sites (id, name, kind, latitude, longitude) VALUES (?, 'Fleet site', 'mine', -30, 120)", [site]);
    const projects: string[] = [];
    for (let c = 0; c < CLIENTS; c++) {
        const client = randomUUID();
        await pool.query("INSERT INTO clients (id, name) VALUES (?, ?)", [client, `Fleet client ${c}`]);
        for (let p = 0; p < PROJECTS_PER_CLIENT; p++) {
            const project = randomUUID();
            await pool.query("INSERT INTO projects (id, client_id, name) VALUES (?, ?, ?)", [project, client, `Project ${p}`]);
            projects.push(project);
        }
    }
    for (let start = 0; start < DETECTORS; start += 1000) {
        const batch = Array.from({ length: Math.min(1000, DETECTORS - start) }, (_, k) => ({ i: start + k, id: randomUUID() }));
        await pool.query("INSERT INTO detectors (id, serial, model, firmware, status) VALUES ?", [batch.map((d) => [d.id, `MD-F${String(d.i).padStart(5, "0")}`, "mD1", "1.0", "deployed"])]);
        await pool.query("INSERT INTO deployments (id, detector_id, site_id, project_id, starts_at, status) VALUES ?",
            [batch.map((d) => [randomUUID(), d.id, site, projects[d.i % projects.length], new Date(T0 - 86_400_000), "active"])]);
    }
}

/** The registry access Lambda's hop, modelled: every call waits one round trip before the SQL. */
function overLambda(port: RegistryPort, calls: { n: number }): RegistryPort {
    return {
        ownerSpans: async (...args) => { calls.n++; await sleep(REGISTRY_ROUND_TRIP_SECONDS * 1000); return port.ownerSpans(...args); },
        recordInference: async (input) => { calls.n++; await sleep(REGISTRY_ROUND_TRIP_SECONDS * 1000); return port.recordInference(input); },
    };
}

export async function run(): Promise<BenchResult> {
    const db = await withTestDatabase();
    const s3 = await startLocalS3([BUCKET]);
    try {
        await seedRegistry(db.pool);
        const rows = Math.floor(OBJECT_CSV_BYTES / 110);
        const body = curatedObject(rows);
        const key = "curated/realtime/2026/01/01/10/mdetect-curated-1-2026-01-01-10-59-50-fleet.gz";
        await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
        const requests = { n: 0, rows: 0 };
        const scorer = async (_body: string, n: number) => {
            requests.n++;
            requests.rows += n;
            await sleep((ENDPOINT_REQUEST_SECONDS + n / SERVERLESS_ROWS_PER_SECOND) * 1000);
            return new Array<number>(n).fill(0.2);
        };
        const sns = { send: async () => ({ MessageId: "bench" }) } as unknown as SNSClient;
        const event = { source: "aws.s3", "detail-type": "Object Created", detail: { bucket: { name: BUCKET }, object: { key, size: body.length } } };
        const once = async (concurrency: number) => {
            const calls = { n: 0 };
            const started = process.hrtime.bigint();
            const result = await runInference(event, {
                bucket: BUCKET, s3: s3.client, sns, findingsTopicArn: "arn:aws:sns:ap-southeast-2:123456789012:bench", scorer,
                registry: overLambda(dalRegistry(db.pool), calls), limitBytes: PAYLOAD_LIMIT_BYTES.serverless, concurrency, alertThreshold: 0.8,
            });
            return { seconds: Number(process.hrtime.bigint() - started) / 1e9, result, registryCalls: calls.n };
        };
        const baseline = await once(1);
        const parallel = await once(CONCURRENCY);
        const target = INFERENCE_TIMEOUT_SECONDS / 4;
        const met = parallel.seconds < target && parallel.result.unassignedRows === 0;
        return {
            targetsMet: met,
            lines: [
                `object: ${rows.toLocaleString("en")} rows from ${DETECTORS.toLocaleString("en")} detectors (${(body.length / 1024 ** 2).toFixed(1)} MiB gzip, ${(OBJECT_CSV_BYTES / 1024 ** 2).toFixed(0)} MiB CSV), ${CLIENTS} clients x ${PROJECTS_PER_CLIENT} projects`,
                `endpoint stand-in: ${ENDPOINT_REQUEST_SECONDS * 1000} ms + rows / ${SERVERLESS_ROWS_PER_SECOND.toLocaleString("en")} per request; registry: MariaDB + ${REGISTRY_ROUND_TRIP_SECONDS * 1000} ms access-Lambda hop per call`,
                `handler, concurrency ${CONCURRENCY}: ${parallel.seconds.toFixed(1)} s (${parallel.result.chunks} chunks, ${parallel.registryCalls} registry calls, ${parallel.result.findings.length} findings objects, ${parallel.result.unassignedRows} unassigned rows)`,
                `baseline in the same run, chunks one at a time: ${baseline.seconds.toFixed(1)} s (${(baseline.seconds / parallel.seconds).toFixed(2)}x the parallel run)`,
                `target: < ${target} s (a quarter of the ${INFERENCE_TIMEOUT_SECONDS} s timeout): ${met ? "MET" : "MISSED"} at ${(parallel.seconds / INFERENCE_TIMEOUT_SECONDS * 100).toFixed(1)} % of the timeout`,
            ],
        };
    } finally {
        await s3.stop();
        await db.drop();
    }
}
