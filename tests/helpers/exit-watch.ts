/**
 * A root hook (loaded by .mocharc.json) that turns a leaked server, socket or timer into a failure
 * that names it, instead of a run that never ends. Mocha does not force an exit (no --exit: a leak
 * is a defect to see, not to hide), so one test that leaves a listener open would keep CI waiting
 * until its 90-minute limit. After the last hook, the process normally exits within moments; if it
 * is still alive after the grace period, the handles keeping it alive are printed and it exits
 * with the run's own code, or 1 if every test passed.
 */
/** Long enough for servers and child processes that are closing to finish; short against CI's limit (MDETECT_EXIT_GRACE_MS for this hook's own test). */
const GRACE_MS = Number(process.env.MDETECT_EXIT_GRACE_MS ?? 60_000);

export const mochaHooks = {
    afterAll(): void {
        setTimeout(() => {
            const alive = process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap");
            console.error(`exit-watch: the run ended ${GRACE_MS / 1000} s ago but these keep the process alive (a test left them open): ${alive.join(", ")}`);
            // Mocha sets the run's code (its failure count) in an 'exit' listener of its own; this one runs after it.
            process.on("exit", () => { if (!process.exitCode) process.exitCode = 1; });
            process.exit();
        }, GRACE_MS).unref();
    },
};
