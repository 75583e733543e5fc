import { expect } from "chai";
import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");

/** Mocha with the project's .mocharc.json (and so the exit watch) on one fixture file. */
function mocha(fixture: string) {
    const started = Date.now();
    const run = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js"), path.join("tests", "fixtures", "exit-watch", fixture)], {
        cwd: ROOT, encoding: "utf8", timeout: 60_000, env: { ...process.env, MDETECT_EXIT_GRACE_MS: "2000" },
    });
    return { ...run, seconds: (Date.now() - started) / 1000 };
}

describe("tests/helpers/exit-watch: a run always ends, with mocha's code, and a leaked handle fails it", function () {
    this.timeout(120_000);

    it("a run whose tests pass but leave a server listening exits 1, naming what kept it alive", () => {
        const run = mocha("leaks-a-server.fixture.ts");
        expect(run.signal, "killed by the test's own timeout: the run hung").to.equal(null);
        expect(run.stdout).to.match(/1 passing/);
        expect(run.status).to.equal(1);
        expect(run.stderr).to.match(/exit-watch: .* keep the process alive .*TCPServerWrap/);
    });

    it("a run that closes what it opened exits 0 at once, with nothing said", () => {
        const run = mocha("closes-its-server.fixture.ts");
        expect(run.status).to.equal(0);
        expect(run.stderr).to.not.match(/exit-watch/);
    });

    it("a clean run with failures exits through the hook with mocha's own code (the failure count), not 0 or 1", () => {
        const run = mocha("two-failures.fixture.ts");
        expect(run.stdout).to.match(/1 passing[\s\S]*2 failing/);
        expect(run.status).to.equal(2);
        expect(run.stderr).to.not.match(/exit-watch/);
    });
});
