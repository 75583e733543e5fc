/**
 * JSON export benchmark: how long the download function takes to convert the largest findings
 * object it accepts for format=json (MAX_JSON_SOURCE_BYTES of gzip CSV, written by inference's own
 * findingsBody) with findingsCsvToJson, against a plain gunzip of the same bytes in the same run
 * (the floor: reading the object at all). The 256 MB function gets 256/1769 of a vCPU, so the
 * projected time there is the one-core time scaled by that share.
 * Target: the projection stays under half the function's 10 s timeout (room for the registry
 * query, two HEADs, the GET and the PUT).
 */
import { Readable } from "stream";
import { gunzipSync } from "zlib";
import { MAX_JSON_SOURCE_BYTES, findingsCsvToJson } from "../../functions/api/findings-export";
import { FindingGroup, findingsBody } from "../../functions/inference/findings";
import { BenchResult } from "../lib/bench";

export const name = "json-export: the largest findings object converted to JSON on request";

const RUNS = 3;
const THRESHOLD = 0.8;
/** Lambda allocates one vCPU at 1,769 MB, proportionally below. */
const LAMBDA_SHARE_OF_A_CORE = 256 / 1769;
const TARGET_SECONDS = 5;

/** Rows like inference's: 50 detectors, one reading a second each, scores over the whole range. */
function bodyOfAbout(bytes: number): { body: Buffer; rows: number } {
    const rows: FindingGroup["rows"] = [];
    let body: Buffer = Buffer.alloc(0);
    while (body.length < bytes) {
        for (let i = 0; i < 50_000; i++) {
            const n = rows.length;
            rows.push({ detectorId: `MD-${String(1000 + (n % 50)).padStart(4, "0")}`, timestamp: new Date(Date.UTC(2026, 0, 2) + Math.floor(n / 50) * 1000).toISOString(), seq: String(n), score: Math.random() });
        }
        body = findingsBody({ rows } as FindingGroup, THRESHOLD);
    }
    return { body, rows: rows.length };
}

async function best(runs: number, fn: () => Promise<unknown>): Promise<number> {
    let fastest = Infinity;
    for (let i = 0; i < runs; i++) {
        const started = process.hrtime.bigint();
        await fn();
        fastest = Math.min(fastest, Number(process.hrtime.bigint() - started) / 1e9);
    }
    return fastest;
}

export async function run(): Promise<BenchResult> {
    const { body, rows } = bodyOfAbout(MAX_JSON_SOURCE_BYTES);
    let out = 0;
    const convert = await best(RUNS, async () => { out = (await findingsCsvToJson(Readable.from([body]))).length; });
    const gunzip = await best(RUNS, async () => gunzipSync(body));
    const projected = convert / LAMBDA_SHARE_OF_A_CORE;
    const mib = (b: number) => (b / 1024 / 1024).toFixed(2);
    return {
        lines: [
            `source: ${mib(body.length)} MiB gzip CSV, ${rows.toLocaleString("en")} rows (inference's findingsBody); JSON out: ${mib(out)} MiB gzip`,
            `findingsCsvToJson: ${convert.toFixed(2)} s wall, one thread (${(body.length / 1024 / 1024 / convert).toFixed(1)} MiB/s of gzip in); best of ${RUNS}`,
            `baseline, gunzip alone: ${gunzip.toFixed(2)} s; conversion = ${(convert / gunzip).toFixed(1)}x the gunzip`,
            `projected on the 256 MB function (${(LAMBDA_SHARE_OF_A_CORE * 100).toFixed(1)}% of a vCPU): ${projected.toFixed(1)} s (target <= ${TARGET_SECONDS} s)`,
        ],
        targetsMet: projected <= TARGET_SECONDS,
    };
}
