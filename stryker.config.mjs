// StrykerJS over the pure modules (functions/, policy/): `npm run mutate`, or one folder with
// `npm run mutate -- --mutate 'functions/telemetry/**/*.ts'`. Slow, so not in CI; scores are in
// docs/benchmarks.md ("Mutation testing").
//
// Runner: @stryker-mutator/mocha-runner with per-test coverage, so each mutant runs only the tests
// that reach it (in one long-lived mocha process) instead of a folder's whole test set. Version 9
// is the last for Node 20; it declares the peer mocha < 12, and this project has mocha 12, whose
// programmatic API it uses unchanged: package.json's `overrides` points its peer at our mocha, and
// scripts/stryker/mocha12-cjs.cjs lets its extensionless requires of mocha's renamed lib/cli/*.cjs
// resolve. MDETECT_MUTATE_RUNNER=command falls back to running mocha as a command per mutant.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ALL = ["functions/**/*.ts", "policy/**/*.ts"];

// tests/helpers/exit-watch.ts (a global teardown from .mocharc.json) ends a process still alive 60 s after a
// mocha run; the mocha runner's worker lives on between mutants by design, so the hook killed it
// every minute (a restart and a lost mutant run each time). Its workers inherit this grace period.
process.env.MDETECT_EXIT_GRACE_MS ??= String(24 * 3600 * 1000);

const cjsShim = fileURLToPath(new URL("./scripts/stryker/mocha12-cjs.cjs", import.meta.url));
// In this process (which loads the runner plugin after reading this file) and every worker it forks.
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --require ${cjsShim}`.trim();
(await import("node:module")).createRequire(import.meta.url)(cjsShim);

/** The --mutate globs given on the command line (Stryker parses them too; this only picks tests). */
function mutateArgs() {
    const argv = process.argv;
    const i = argv.findIndex((a) => a === "--mutate" || a === "-m");
    if (i >= 0 && argv[i + 1]) return argv[i + 1].split(",");
    const inline = argv.find((a) => a.startsWith("--mutate="));
    return inline ? inline.slice("--mutate=".length).split(",") : ALL;
}

/**
 * tests/ mirrors the folders: functions/telemetry/x.ts is tested under tests/functions/telemetry/
 * (policy/rules/x.ts under tests/policy/, the nearest folder that exists). MDETECT_MUTATE_TESTS
 * (space-separated globs) names the test files instead, e.g. for one file's own tests.
 */
function testGlobs(patterns) {
    if (process.env.MDETECT_MUTATE_TESTS) return process.env.MDETECT_MUTATE_TESTS.split(" ").filter(Boolean);
    const globs = new Set();
    for (const pattern of patterns) {
        const parts = pattern.replace(/^!/, "").split("/").filter((p) => !p.includes("*") && !p.endsWith(".ts"));
        let dir = ["tests", ...parts].join("/");
        while (!existsSync(dir) && dir.includes("/")) dir = dir.slice(0, dir.lastIndexOf("/"));
        globs.add(`${dir}/**/*.test.ts`);
    }
    return [...globs];
}

const specs = testGlobs(mutateArgs());
const runner = process.env.MDETECT_MUTATE_RUNNER === "command"
    ? {
        testRunner: "command",
        commandRunner: { command: `node node_modules/mocha/bin/mocha.js --no-config --require tsx/cjs --extension ts --timeout 120000 --bail --reporter dot ${specs.map((s) => `'${s}'`).join(" ")}` },
        coverageAnalysis: "off",
    }
    : {
        testRunner: "mocha",
        // .mocharc.json has no spec of its own, only tsx, the .ts extension and the timeout.
        mochaOptions: { spec: specs, config: ".mocharc.json", "no-package": true },
        coverageAnalysis: "perTest",
    };

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
    mutate: ALL,
    ...runner,
    // The TypeScript checker discards mutants that do not compile before any test runs them; its
    // start-up type-checks the whole project (minutes on a loaded machine): MDETECT_MUTATE_NO_CHECK=1
    // skips it for a quick run (tsx does not type-check, so mutants that would not compile are then
    // run like any other and can show up as survivors).
    checkers: process.env.MDETECT_MUTATE_NO_CHECK ? [] : ["typescript"],
    tsconfigFile: "tsconfig.json",
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    // The machine is shared: one mutant at a time unless told otherwise (--concurrency).
    concurrency: 1,
    // Added to 1.5 x the tests' own time: a margin for a loaded machine without letting an
    // infinite loop (a mutated loop bound) cost minutes.
    timeoutMS: 20000,
    incremental: true,
    incrementalFile: "reports/stryker-incremental.json",
    reporters: ["clear-text", "progress", "html", "json"],
    ignorePatterns: ["bench-data", "out", "reports", ".stryker-tmp"],
    tempDirName: ".stryker-tmp",
    cleanTempDir: true,
};
