/**
 * `mdetect local up [--detectors N] [--speed X] [--stack dev]`: the whole pipeline on this
 * machine, built from the offline plan and running the serialized functions (docs/local.md).
 * Stays in the foreground, printing a progress line; Ctrl-C or `mdetect local down` (from
 * another shell) stops everything it started.
 * `mdetect local down`: stops a running `local up` (its pid is in out/local/state.json).
 */
import * as fs from "fs";
import * as path from "path";
import { Command, InvalidArgumentError, action, examples, wholeNumber } from "../lib/cli";
import { ROOT } from "../lib/mock-run";
import { LocalCloud } from "../lib/local/cloud";
import { SEED } from "../lib/registry-seed";
import { localModel } from "../lib/local/model";

/** Where a running `local up` leaves its pid and mail (MDETECT_LOCAL_STATE_DIR: another place, e.g. for a test beside a running one). */
const STATE_DIR = process.env.MDETECT_LOCAL_STATE_DIR ?? path.join(ROOT, "out", "local");
const STATE_FILE = path.join(STATE_DIR, "state.json");
/** Every e-mail SNS delivers, one .eml file per message under <address>/. */
const MAIL_DIR = path.join(STATE_DIR, "mail");

/** Rows curated so far: the transform's own per-batch stats when it logs them, else Firehose's Ok records. */
function rowsCurated(cloud: LocalCloud): number {
    let rows = 0;
    let seen = false;
    for (const { line } of cloud.logs) {
        if (!line.includes("rowsOut")) continue;
        try { const doc = JSON.parse(line); const m = typeof doc.message === "string" && doc.message.startsWith("{") ? JSON.parse(doc.message) : doc; if (typeof m.rowsOut === "number") { rows += m.rowsOut; seen = true; } } catch { /* not a stats line */ }
    }
    return seen ? rows : cloud.firehoses.reduce((n, f) => n + f.metrics.ok, 0);
}

function progress(cloud: LocalCloud): string {
    const readings = cloud.fleet?.sent.length ?? 0;
    const findings = cloud.meter.snapshot(0, 0).objects["findings/"]?.count ?? 0;
    const t = new Date(cloud.clock.now()).toISOString().slice(11, 19);
    return `[sim ${t}] readings in: ${readings}  rows curated: ${rowsCurated(cloud)}  findings written: ${findings}  dead letters: ${cloud.queues.queues.reduce((n, q) => n + cloud.queues.visible(q.arn).length, 0)}`;
}

async function up(args: { detectors: number; speed: number; stack: string }): Promise<number> {
    const { detectors, speed } = args;
    if (!Number.isInteger(detectors) || detectors < 1) throw new Error("--detectors must be a positive integer");
    if (!(speed > 0)) throw new Error("--speed must be a positive number (simulated seconds per second)");
    if (fs.existsSync(STATE_FILE)) {
        const { pid } = JSON.parse(fs.readFileSync(STATE_FILE, "utf8"));
        try { process.kill(pid, 0); throw new Error(`a local cloud is already running (pid ${pid}); stop it with \`mdetect local down\``); } catch (err) { if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err; }
    }
    console.log("building the plan (offline mock run)...");
    fs.rmSync(MAIL_DIR, { recursive: true, force: true });
    const model = await localModel();
    if (model.reason) console.log(`scoring with the JSON stand-in model: ${model.reason}`);
    const cloud = await LocalCloud.fromProgram({ stack: args.stack }, { model, mailDirectory: MAIL_DIR });
    await cloud.start();
    cloud.startFleet({ detectors, batchSeconds: 10, badEvery: 50, silentDetector: detectors > 1 ? detectors - 1 : undefined, silentAfterSeconds: 300 });
    fs.mkdirSync(STATE_DIR, { recursive: true });
    fs.writeFileSync(STATE_FILE, JSON.stringify({ pid: process.pid, api: cloud.api?.url, s3: cloud.s3.url }, null, 2));

    const bucket = cloud.plan.buckets.find((b) => b.eventBridge)?.name ?? cloud.plan.buckets[0]?.name;
    const clients = (SEED.find((s) => s.table === "clients")?.rows ?? []) as unknown as readonly { id: string }[];
    const subscribers = cloud.plan.topics.flatMap((t) => t.subscriptions.filter((s) => s.protocol === "email").map((s) => s.endpoint));
    const clientToken = clients[0] && cloud.users ? await cloud.users.idToken({ clientId: clients[0].id, email: "client@example.com" }, 12 * 3600) : undefined;
    const staffToken = cloud.users ? await cloud.users.idToken({ groups: ["staff"], email: "staff@mdetect.com.au" }, 12 * 3600) : undefined;
    console.log([
        "",
        `API:            ${cloud.api?.url ?? "(the plan declares no HTTP API)"}`,
        clientToken ? `client token:   ${clientToken}\n                (ID token of a user of seeded client ${clients[0].id}; send as "Authorization: Bearer <token>")` : "",
        staffToken ? `staff token:    ${staffToken}` : "",
        `S3 endpoint:    ${cloud.s3.url}  (bucket ${bucket}; findings land under findings/, curated CSV under curated/)`,
        `alert e-mails:  ${MAIL_DIR}/<address>/*.eml  (subscribed: ${[...new Set(subscribers)].join(", ") || "none"})`,
        `model:          ${model.kind === "model" ? `the example model (${model.artifact}) on a local endpoint` : "the JSON stand-in"} behind ${cloud.sagemaker?.url ?? "(the plan has no endpoint)"}`,
        "upload a site file:",
        `  curl -s -X POST ${cloud.api?.url}/v1/uploads -H "Authorization: Bearer $STAFF_TOKEN" -H 'content-type: application/json' \\`,
        `    -d '{"siteId":"<site uuid>","filename":"dump.ndjson","contentType":"application/x-ndjson","checksumSha256":"'$(openssl dgst -sha256 -binary dump.ndjson | base64)'"}'`,
        "  then PUT the file to the returned url with the returned headers.",
        cloud.unavailable.length ? `not running locally: ${cloud.unavailable.map((u) => u.fn).join(", ")} (${cloud.unavailable[0].reason})` : "",
        `${detectors} detectors, ${speed}x speed. Ctrl-C or \`mdetect local down\` stops everything.`,
        "",
    ].filter((l) => l !== "").join("\n"));

    // A signal ends the loop after the step in flight; then everything is stopped in order.
    let stopping = false;
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => { stopping = true; });
    let last = 0;
    try {
        while (!stopping) {
            const started = Date.now();
            await cloud.step(1);
            if (Date.now() - last > 2000) { process.stdout.write(`\r${progress(cloud)}`); last = Date.now(); }
            const wait = 1000 / speed - (Date.now() - started);
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
    } finally {
        await cloud.stop();
        fs.rmSync(STATE_FILE, { force: true });
    }
    process.stdout.write(`\n${progress(cloud)}\nstopped.\n`);
    return 0;
}

function down(): number {
    if (!fs.existsSync(STATE_FILE)) { console.log("no local cloud is running"); return 0; }
    const { pid } = JSON.parse(fs.readFileSync(STATE_FILE, "utf8"));
    try {
        process.kill(pid, "SIGTERM");
        console.log(`stopping the local cloud (pid ${pid})`);
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
        fs.rmSync(STATE_FILE, { force: true });
        console.log("the local cloud was not running; state cleared");
    }
    return 0;
}

/** A positive speed factor for the simulated clock. */
function speedFactor(value: string): number {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expects a positive number, got '${value}'`);
    return n;
}

export function command(): Command {
    const local = new Command("local").description("the whole pipeline on this machine, built from the offline plan, running the serialized functions");
    const upCmd = new Command("up").description("start the local cloud and a detector fleet; prints the API URL, a client token and where data lands")
        .option("--detectors <n>", "detectors in the simulated fleet", wholeNumber(1), 10)
        .option("--speed <x>", "simulated seconds per wall-clock second", speedFactor, 1)
        .option("--stack <name>", "the stack whose plan to run", "dev");
    examples(upCmd, ["mdetect local up", "mdetect local up --detectors 100 --speed 10"]);
    const downCmd = new Command("down").description("stop a running `mdetect local up` (from another shell)");
    examples(downCmd, ["mdetect local down"]);
    local.addCommand(action(upCmd, up)).addCommand(action(downCmd, async () => down()));
    examples(local, ["mdetect local up --detectors 20", "mdetect local down"]);
    return local;
}
