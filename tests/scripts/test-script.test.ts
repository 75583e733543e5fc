/**
 * `npm test` (scripts/test.sh): tsc beside mocha, not before it, and the run fails if either does.
 * The script runs for real with stand-ins for tsc and mocha first on its PATH, which record their
 * arguments and exit with the code a case asks for.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../../scripts/lib/mock-run";

/** Each stand-in waits (up to 10 s) for the other to have started: run one after the other, the first gives up with 99. */
const STAND_IN = (name: string, other: string) => `#!/usr/bin/env bash
echo "$@" > "$BIN/${name}.args"
touch "$BIN/${name}.started"
for _ in $(seq 100); do [ -e "$BIN/${other}.started" ] && break; sleep 0.1; done
[ -e "$BIN/${other}.started" ] || { echo "${name}: ${other} never started beside me"; exit 99; }
echo "${name} says: $${name.toUpperCase()}_SAYS"
exit "$${name.toUpperCase()}_CODE"
`;

function runTestScript(codes: { tsc: number; mocha: number }, ...args: string[]) {
    const bin = mkdtempSync(path.join(os.tmpdir(), "mdetect-test-sh-"));
    try {
        writeFileSync(path.join(bin, "tsc"), STAND_IN("tsc", "mocha"), { mode: 0o755 });
        writeFileSync(path.join(bin, "mocha"), STAND_IN("mocha", "tsc"), { mode: 0o755 });
        const result = spawnSync("bash", [path.join(ROOT, "scripts", "test.sh"), ...args], {
            cwd: ROOT, encoding: "utf8", timeout: 60_000,
            env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, BIN: bin,
                TSC_CODE: String(codes.tsc), MOCHA_CODE: String(codes.mocha), TSC_SAYS: "error TS2322: not a number", MOCHA_SAYS: "3 passing" },
        });
        const recorded = (name: string) => (existsSync(path.join(bin, `${name}.args`)) ? readFileSync(path.join(bin, `${name}.args`), "utf8").trim() : undefined);
        return { status: result.status, stdout: result.stdout, stderr: result.stderr, tscArgs: recorded("tsc"), mochaArgs: recorded("mocha") };
    } finally {
        rmSync(bin, { recursive: true, force: true });
    }
}

describe("scripts: npm test (scripts/test.sh)", () => {
    it("is what package.json's test script runs", () => {
        expect(require(path.join(ROOT, "package.json")).scripts.test).to.equal("bash scripts/test.sh");
    });

    it("runs the type check and the whole suite side by side, and passes when both pass", () => {
        const run = runTestScript({ tsc: 0, mocha: 0 });
        expect(run.status, run.stdout + run.stderr).to.equal(0);
        expect(run.tscArgs).to.equal("--noEmit -p tsconfig.json");
        // The glob reaches mocha unexpanded (mocha expands it, so every test file under tests/ runs),
        // in parallel on every core.
        expect(run.mochaArgs).to.equal(`--parallel --jobs ${os.availableParallelism()} tests/**/*.test.ts`);
        expect(run.stdout).to.contain("3 passing").and.not.contain("error TS");
    });

    it("passes extra arguments on to mocha", () => {
        expect(runTestScript({ tsc: 0, mocha: 0 }, "--grep", "cost").mochaArgs).to.equal(`--parallel --jobs ${os.availableParallelism()} tests/**/*.test.ts --grep cost`);
    });

    it("fails with tsc's code when only the type check fails, printing its report after the suite's", () => {
        const run = runTestScript({ tsc: 2, mocha: 0 });
        expect(run.status).to.equal(2);
        expect(run.stdout.indexOf("error TS2322")).to.be.greaterThan(run.stdout.indexOf("3 passing"));
        expect(run.stderr).to.contain("npm test: the type check failed (tsc exit 2");
    });

    it("fails with mocha's code (its failure count) when the suite fails, whatever tsc says", () => {
        for (const tsc of [0, 2]) {
            const run = runTestScript({ tsc, mocha: 3 });
            expect(run.status, `tsc ${tsc}`).to.equal(3);
        }
    });
});
