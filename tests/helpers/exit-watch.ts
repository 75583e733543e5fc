/**
 * A root hook (loaded by .mocharc.json) that makes the end of a run certain.
 *
 * - **A clean end exits at once.** When the event loop empties, Node tears the environment down
 *   (FreeEnvironment -> CleanupHandles) before the process ends; on Node 20 that teardown can spin
 *   forever at full CPU (nodejs/node#47748). Seen here: a clean-clone run printed "1728 passing",
 *   then its mocha sat in CleanupHandles (gdb backtrace) until killed, as CI's 90-minute limit had
 *   killed the try before. So on `beforeExit` (nothing left to do) the run exits through
 *   process.exit, which emits 'exit' (mocha sets its failure count as the code there) and ends
 *   without that teardown.
 * - **A leak fails, naming what leaked.** Mocha does not force an exit (no --exit: a leak is a
 *   defect to see, not to hide), so a test that leaves a listener open keeps the loop alive and
 *   `beforeExit` never comes. If the process is still alive a grace period after the last hook,
 *   the handles keeping it alive are printed and it exits with the run's code, or 1 if every test
 *   passed. That holds where the tests run in the main process: a file run alone (or any serial
 *   run). In `npm test`'s parallel run the tests run in mocha's worker processes, which the pool
 *   ends whatever they hold open, so a leak there cannot hang the run, and shows when its file runs
 *   alone.
 */
/** Long enough for servers and child processes that are closing to finish; short against CI's limit (MDETECT_EXIT_GRACE_MS for this hook's own test). */
const GRACE_MS = Number(process.env.MDETECT_EXIT_GRACE_MS ?? 60_000);

/**
 * Once, in the main process, after the last test and hook, serial or parallel (a root hook would
 * run per file in each worker, and its timer would end a worker still running other files).
 */
export function mochaGlobalTeardown(): void {
    process.once("beforeExit", () => process.exit());
    setTimeout(() => {
        const alive = process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap");
        console.error(`exit-watch: the run ended ${GRACE_MS / 1000} s ago but these keep the process alive (a test left them open): ${alive.join(", ")}`);
        // Mocha sets the run's code (its failure count) in an 'exit' listener of its own; this one runs after it.
        process.on("exit", () => { if (!process.exitCode) process.exitCode = 1; });
        process.exit();
    }, GRACE_MS).unref();
}
