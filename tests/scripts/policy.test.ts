import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { program } from "../helpers/program";
import { toPlan } from "../../scripts/lib/plan";
import { declarationSites, fromProgramRun } from "../../scripts/lib/policy-input";
import { checkStack } from "../../scripts/lib/policy-run";
import { toSarif } from "../../scripts/lib/policy-report";
import { RULES } from "../../policy/rules";
import { junitProblems, sarifProblems } from "../helpers/report-schemas";

const ROOT = path.join(__dirname, "..", "..");

function mdetect(...args: string[]) {
    const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "mdetect.js"), "policy", ...args], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("scripts: mdetect policy", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-policy-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("exits 0 on the dev stack and writes SARIF (2.1.0 + GitHub), JUnit (junit-10.xsd) and the pack config", () => {
        const sarif = path.join(dir, "policy.sarif");
        const junit = path.join(dir, "policy.xml");
        const packConfig = path.join(dir, "pack-config.json");
        const r = mdetect("--stack", "dev", "--sarif", sarif, "--junit", junit, "--pack-config", packConfig);
        expect(r.status, r.stdout + r.stderr).to.equal(0);
        expect(r.stdout).to.match(/0 mandatory violation\(s\).* -> pass/);
        expect(sarifProblems(JSON.parse(fs.readFileSync(sarif, "utf8")))).to.deep.equal([]);
        return junitProblems(fs.readFileSync(junit, "utf8")).then((problems) => {
            expect(problems).to.deep.equal([]);
            expect(JSON.parse(fs.readFileSync(packConfig, "utf8"))["cost-tags"].tagValues).to.include({ environment: "dev", project: "mdetect" });
        });
    });

    it("SARIF results point at the file and line whose `new X(` declares the resource", async () => {
        // A tag nobody sets: a cost-tags finding on every taggable resource, declared all over infra/.
        const run = await program({ "mdetect:requiredTags": ["project", "environment", "cost-center", "owner", "data-classification"] });
        const { findings } = checkStack(fromProgramRun(run), run.stack, run.config);
        const sarif = toSarif(findings, RULES, "0.0.0", declarationSites(run.project, run.stack, run.resources));
        const results = sarif.runs[0].results!;
        expect(results.length).to.be.greaterThan(50);
        expect(sarifProblems(sarif)).to.deep.equal([]);
        const files = new Set<string>();
        for (const result of results) {
            const { artifactLocation, region } = result.locations![0].physicalLocation!;
            const urn = result.locations![0].logicalLocations![0].fullyQualifiedName!;
            const className = urn.split("::")[2].split("$").pop()!.split(":").pop()!;
            const line = fs.readFileSync(path.join(ROOT, artifactLocation!.uri!), "utf8").split("\n")[region!.startLine! - 1];
            expect(artifactLocation!.uri, urn).to.match(/^infra\/.+\.ts$/);
            // The resource's own constructor, or the program's call that created it (CallbackFunction's Function).
            expect(line, `${urn} at ${artifactLocation!.uri}:${region!.startLine}`).to.match(new RegExp(`new [\\w.]*${className}\\b|new [\\w.]*Callback${className}\\b`));
            files.add(artifactLocation!.uri!);
        }
        expect(files.size, [...files].join(", ")).to.be.greaterThan(5);
        expect(new Set(results.map((r) => r.partialFingerprints!.primaryLocationLineHash)).size).to.equal(results.length);
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
