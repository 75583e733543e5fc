import { expect } from "chai";
import { mochaOn } from "./mocha-fixture";

describe("tests/helpers/current-test: a slow step lifts only the running test's or hook's timeout", function () {
    this.timeout(120_000);

    it("the test or hook that asks gets the time, those that do not ask (and the test after it) keep theirs, a smaller ask changes nothing, and callback-style tests still get done", () => {
        const run = mochaOn("current-test/slow-steps.fixture.ts", ["--reporter", "json"]);
        const report = JSON.parse(run.stdout.slice(run.stdout.indexOf("{")));
        expect(report.passes.map((t: { title: string }) => t.title)).to.deep.equal([
            "asks for time, then takes longer than its own timeout",
            "asks for less than it has, and is held to what it has",
            "runs after the hook that asked for time",
            "still gets its done callback",
        ]);
        expect(report.failures.map((t: { title: string; err: { message: string } }) => [t.title, /Timeout of 300ms exceeded/.test(t.err.message)])).to.deep.equal([
            ["takes longer than its timeout without asking", true],
            ["asked for time in the test before: the next test has its own timeout again", true],
            ['"before all" hook for "never runs: its hook timed out"', true],
        ]);
        expect(run.status).to.equal(3);
    });
});
