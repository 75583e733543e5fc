import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../../scripts/lib/mock-run";

/** Runs `mdetect <args>` on a copy of the project whose stack `bad` has `config`. */
function mdetectWithStack(config: string, ...args: string[]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-cli-"));
    try {
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), `config:\n  aws:region: ap-southeast-2\n${config}`);
        return spawnSync(process.execPath, [path.join(ROOT, "bin", "mdetect.js"), ...args, "--stack", "bad"], {
            cwd: ROOT, encoding: "utf8", env: { ...process.env, MDETECT_PROJECT_DIR: dir, MDETECT_DEBUG: "" }, timeout: 240_000,
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("scripts: bad config gets one line, no stack trace", () => {
    const cases: [string, string, string][] = [
        ["a value the program refuses (ConfigError)", "  mdetect:opsEmails:\n    - ops-at-mdetect\n",
            "mdetect policy: invalid config: mdetect:opsEmails: \"ops-at-mdetect\" is not an e-mail address"],
        ["a value the CLI refuses (ProjectError)", "  mdetect:detectorCount: fifty\n",
            "mdetect policy: Stack 'bad' with configuration key 'mdetect:detectorCount' must be of type 'integer'"],
    ];
    for (const [what, config, line] of cases) {
        it(`${what}: exit code 1, stderr one line naming the key`, () => {
            const result = mdetectWithStack(config, "policy");
            expect(result.status, result.stderr).to.equal(1);
            expect(result.stderr.trimEnd().split("\n"), result.stderr).to.deep.equal([line]);
            expect(result.stdout).to.equal("");
        });
    }
});
