import { expect } from "chai";
import { spawnSync } from "child_process";
import * as path from "path";
import { ROOT } from "../../scripts/lib/mock-run";

/** `npx mocha <file>` as the README documents it: the project's .mocharc.json, one file named. */
function mochaDryRun(...files: string[]) {
    const mocha = path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js");
    const result = spawnSync(process.execPath, [mocha, "--dry-run", "--reporter", "json", ...files], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    expect(result.status, result.stderr).to.equal(0);
    return JSON.parse(result.stdout.slice(result.stdout.indexOf("{"))) as { tests: { file: string }[] };
}

describe("scripts: running one test file (.mocharc.json holds no spec)", () => {
    it("`npx mocha tests/scripts/bootstrap.test.ts` runs that file's tests and no other's", () => {
        const report = mochaDryRun("tests/scripts/bootstrap.test.ts");
        expect(report.tests.length).to.be.greaterThan(3);
        expect([...new Set(report.tests.map((t) => path.relative(ROOT, t.file)))]).to.deep.equal(["tests/scripts/bootstrap.test.ts"]);
    });
});
