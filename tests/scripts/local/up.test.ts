/**
 * `mdetect local up` / `mdetect local down` as a person runs them: two shells, one CLI each. What
 * `up` prints is used as printed (the API URL and the client token), and `down` from the other
 * shell stops everything `up` started.
 */
import { expect } from "chai";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROGRAM_RUN_TIMEOUT_MS } from "../../helpers/program";

const ROOT = path.join(__dirname, "..", "..", "..");
const CLI = path.join(ROOT, "bin", "mdetect.js");

describe("mdetect local up / down", function () {
    this.timeout(PROGRAM_RUN_TIMEOUT_MS);
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-local-up-"));
    const env = { ...process.env, MDETECT_LOCAL_STATE_DIR: stateDir };
    let up: ChildProcess;
    let out = "";
    let exited: Promise<number | null>;

    /** What `up` printed once it says how to stop it (its last line before the progress line). */
    const ready = () => new Promise<void>((resolve, reject) => {
        const check = () => { if (/stops everything\./.test(out)) resolve(); };
        up.stdout!.on("data", (d) => { out += d; check(); });
        up.once("exit", (code) => reject(new Error(`local up exited (${code}) before it was ready:\n${out}`)));
    });
    const printed = (label: string) => new RegExp(`^${label}:\\s+(\\S+)`, "m").exec(out)?.[1];

    before(async () => {
        up = spawn(process.execPath, [CLI, "local", "up", "--detectors", "3", "--speed", "20"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
        exited = new Promise((resolve) => up.once("exit", resolve));
        await ready();
    });
    after(async () => {
        if (up.exitCode === null) { up.kill("SIGTERM"); await exited; }
        fs.rmSync(stateDir, { recursive: true, force: true });
    });

    it("prints the API URL, a client token that the API accepts, and where findings and e-mails land", async () => {
        const api = printed("API");
        const token = printed("client token");
        expect(api).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(out).to.match(/findings land under findings\//).and.to.match(new RegExp(`alert e-mails:\\s+${stateDir}/mail/`)).and.to.match(/upload a site file:/);
        const listed = await fetch(`${api}/v1/detectors`, { headers: { authorization: `Bearer ${token}` } });
        expect(listed.status).to.equal(200);
        expect(((await listed.json()) as { items: { serial: string }[] }).items.map((d) => d.serial)).to.deep.equal(["MD-0001", "MD-0002", "MD-0003"]);
        const anonymous = await fetch(`${api}/v1/detectors`);
        expect(anonymous.status).to.equal(401);
    });

    it("refuses a second `up` while one runs, naming how to stop it", () => {
        const second = spawnSync(process.execPath, [CLI, "local", "up"], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
        expect(second.status).to.equal(1);
        expect(second.stderr.trim()).to.match(/^mdetect local: a local cloud is already running \(pid \d+\); stop it with `mdetect local down`$/);
    });

    it("`down` from another shell stops it: `up` exits 0, its API no longer answers, and a second `down` finds nothing", async () => {
        const api = printed("API")!;
        const down = spawnSync(process.execPath, [CLI, "local", "down"], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
        expect(down.stdout).to.match(new RegExp(`^stopping the local cloud \\(pid ${up.pid}\\)`));
        expect(await exited).to.equal(0);
        expect(out).to.match(/readings in: \d+ +rows curated: \d+ +findings written: \d+[^\n]*\nstopped\.\n$/);
        const refused = await fetch(`${api}/v1/detectors`).then(() => "answered", (e: Error & { cause?: { code?: string } }) => e.cause?.code);
        expect(refused).to.equal("ECONNREFUSED");
        const again = spawnSync(process.execPath, [CLI, "local", "down"], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
        expect(again.stdout.trim()).to.equal("no local cloud is running");
    });
});
