import { expect } from "chai";
import { mochaOn } from "./mocha-fixture";

/** The exit watch's own fixtures, with a short grace period. */
const mocha = (fixture: string, args: string[] = []) => mochaOn(`exit-watch/${fixture}`, args, { MDETECT_EXIT_GRACE_MS: "2000" });
/** As `npm test` runs the suite on these 2-core machines (scripts/test.sh: one worker per core). */
const PARALLEL = ["--parallel", "--jobs", "2"];

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

    it("a parallel run ends with mocha's code although a worker left a server listening (the pool ends its workers)", () => {
        const leaked = mocha("leaks-a-server.fixture.ts", PARALLEL);
        expect(leaked.signal, "killed by the test's own timeout: the run hung").to.equal(null);
        expect(leaked.stdout).to.match(/1 passing/);
        expect(leaked.status).to.equal(0);
        const failed = mocha("two-failures.fixture.ts", PARALLEL);
        expect(failed.stdout).to.match(/1 passing[\s\S]*2 failing/);
        expect(failed.status).to.equal(2);
    });
});
