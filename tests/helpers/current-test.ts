/**
 * The test running now, for helpers that know a step of theirs is slow (a root hook, loaded by
 * .mocharc.json). The suite's 120 s timeout is there to catch hangs; a test that waits for a cold
 * mock program run (25 s wall on a quiet 2-core machine, minutes under load) is not hanging, and the
 * helper that starts the run knows it: `allowTime` lifts the running test's timeout to `ms` from now
 * (mocha restarts a running test's timer when its timeout changes). Outside a test (in a hook) it
 * changes nothing that runs: the last test's timer has stopped; hooks set their own
 * (PROGRAM_RUN_TIMEOUT_MS).
 */
import type { Context, Test } from "mocha";

let running: Test | undefined;

export const mochaHooks = {
    beforeEach(this: Context): void { running = this.currentTest; },
};

export function allowTime(ms: number): void {
    const current = running?.timeout();
    // 0 is mocha's "no timeout": never shorten it.
    if (running && current !== 0 && current !== undefined && current < ms) running.timeout(ms);
}
