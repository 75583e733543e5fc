import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { program } from "../helpers/program";
import { toPlan } from "../../scripts/lib/plan";

const ROOT = path.join(__dirname, "..", "..");

function mdetect(...args: string[]) {
    const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "mdetect.js"), "policy", ...args], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("scripts: mdetect policy", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-policy-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("exits 0 on the dev stack and writes SARIF, JUnit and the pack config", () => {
        const sarif = path.join(dir, "policy.sarif");
        const junit = path.join(dir, "policy.xml");
        const packConfig = path.join(dir, "pack-config.json");
        const r = mdetect("--stack", "dev", "--sarif", sarif, "--junit", junit, "--pack-config", packConfig);
        expect(r.status, r.stdout + r.stderr).to.equal(0);
        expect(r.stdout).to.match(/0 mandatory violation\(s\).* -> pass/);
        expect(JSON.parse(fs.readFileSync(sarif, "utf8")).version).to.equal("2.1.0");
        expect(fs.readFileSync(junit, "utf8")).to.match(/^<\?xml/);
        expect(JSON.parse(fs.readFileSync(packConfig, "utf8"))["cost-tags"].tagValues).to.include({ environment: "dev", project: "mdetect" });
    });

    it("exits non-zero on a plan with a mandatory violation, printing rule, resource and fix", async () => {
        const plan = toPlan(await program()) as any;
        const stream = plan.resources.find((r: any) => r.type === "aws:kinesis/stream:Stream");
        if (!stream) throw new Error("the dev stack declares no Kinesis stream to break");
        delete stream.inputs.encryptionType;
        delete stream.inputs.kmsKeyId;
        const file = path.join(dir, "plan.json");
        fs.writeFileSync(file, JSON.stringify(plan));
        const r = mdetect("--plan", file);
        expect(r.status).to.equal(1);
        expect(r.stdout).to.include(`[MANDATORY] kinesis-stream-encrypted  aws:kinesis/stream:Stream ${stream.name}`);
        expect(r.stdout).to.include("fix: Set encryptionType: \"KMS\"");
        expect(r.stdout).to.match(/1 mandatory violation\(s\)/);
    });

    it("exits 0 on the unmodified plan and rejects a file that is not a plan", async () => {
        const file = path.join(dir, "clean.json");
        fs.writeFileSync(file, JSON.stringify(toPlan(await program())));
        expect(mdetect("--plan", file).status).to.equal(0);
        fs.writeFileSync(path.join(dir, "bad.json"), "{\"resources\": 3}");
        const bad = mdetect("--plan", path.join(dir, "bad.json"));
        expect(bad.status).to.equal(1);
        expect(bad.stderr).to.include("not a plan");
    });
});
