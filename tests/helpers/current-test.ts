/**
 * The test or hook running now, for helpers that know a step of theirs is slow (a root hook, loaded
 * by .mocharc.json). The suite's 120 s timeout is there to catch hangs; a test or `before` hook that
 * waits for a cold mock program run (25 s wall on a quiet 2-core machine, minutes under load) is not
 * hanging, and the helper that starts the run knows it: `allowTime` lifts the running runnable's
 * timeout to `ms` from now (mocha restarts a running timer when the timeout changes).
 *
 * Mocha tells root hooks the current test but not the current hook, so before the run this wraps
 * every test's and hook's function to note itself as running when it starts (arity kept: mocha
 * reads `fn.length` to tell callback-style functions from the others).
 */
import type { Context, Done, Runnable, Suite } from "mocha";

let running: Runnable | undefined;

function track(r: Runnable): void {
    const fn = r.fn;
    if (!fn) return;
    r.fn = fn.length === 0
        ? function (this: Context) { running = r; return (fn as (this: Context) => unknown).call(this); }
        : function (this: Context, done: Done) { running = r; return fn.call(this, done); };
}

function trackAll(suite: Suite): void {
    // A suite's hooks are private in mocha's types (the same fields on every version since 1.x).
    const hooks = suite as unknown as Record<"_beforeAll" | "_beforeEach" | "_afterEach" | "_afterAll", Runnable[]>;
    for (const r of [...hooks._beforeAll, ...hooks._beforeEach, ...hooks._afterEach, ...hooks._afterAll, ...suite.tests]) track(r);
    suite.suites.forEach(trackAll);
}

export const mochaHooks = {
    beforeAll(this: Context): void {
        let root = this.test?.parent;
        while (root?.parent) root = root.parent;
        if (root) trackAll(root);
    },
};

export function allowTime(ms: number): void {
    const current = running?.timeout();
    // 0 is mocha's "no timeout": never shorten it.
    if (running && current !== 0 && current !== undefined && current < ms) running.timeout(ms);
}
