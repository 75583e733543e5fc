// StrykerJS over the pure modules (functions/, policy/): `npm run mutate`, or one folder with
// `npm run mutate -- --mutate 'functions/telemetry/**/*.ts'`. Slow, so not in CI; scores are in
// docs/benchmarks.md ("Mutation testing").
//
// Runner: the command runner, running mocha on the tests of the mutated folders. The mocha runner
// (@stryker-mutator/mocha-runner@9, the last for Node 20; v10 needs Node 22) declares the peer
// mocha >= 7.2 < 12 and this project has mocha 12: it installs only with --legacy-peer-deps or an
// `overrides` entry, which would make every `npm ci` accept a runner its authors have not tested
// with our mocha. The command runner has no per-test coverage, so every mutant runs the folder's
// whole test set; hence the tests are narrowed to the mutated folders (below) and --bail stops at
// the first failure.
import { existsSync } from "node:fs";

const ALL = ["functions/**/*.ts", "policy/**/*.ts"];

/** The --mutate globs given on the command line (Stryker parses them too; this only picks tests). */
function mutateArgs() {
    const argv = process.argv;
    const i = argv.findIndex((a) => a === "--mutate" || a === "-m");
    if (i >= 0 && argv[i + 1]) return argv[i + 1].split(",");
    const inline = argv.find((a) => a.startsWith("--mutate="));
    return inline ? inline.slice("--mutate=".length).split(",") : ALL;
}

/**
 * tests/ mirrors the folders: functions/telemetry/x.ts is tested under tests/functions/telemetry/.
 * MDETECT_MUTATE_TESTS (space-separated globs) narrows that further for a quick run on one file.
 */
function testGlobs(patterns) {
    if (process.env.MDETECT_MUTATE_TESTS) return process.env.MDETECT_MUTATE_TESTS.split(" ").map((g) => `'${g}'`).join(" ");
    const globs = new Set();
    for (const pattern of patterns) {
        const parts = pattern.replace(/^!/, "").split("/").filter((p) => !p.includes("*") && !p.endsWith(".ts"));
        let dir = ["tests", ...parts].join("/");
        while (!existsSync(dir) && dir.includes("/")) dir = dir.slice(0, dir.lastIndexOf("/"));
        globs.add(`'${dir}/**/*.test.ts'`);
    }
    return [...globs].join(" ");
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
    mutate: ALL,
    testRunner: "command",
    commandRunner: {
        command: `node node_modules/mocha/bin/mocha.js --no-config --require tsx/cjs --extension ts --timeout 120000 --bail --reporter dot ${testGlobs(mutateArgs())}`,
    },
    coverageAnalysis: "off",
    // The TypeScript checker discards mutants that do not compile before any test runs them; its
    // start-up type-checks the whole project (minutes on a loaded machine): MDETECT_MUTATE_NO_CHECK=1
    // skips it for a quick run (tsx does not type-check, so mutants that would not compile are then
    // run like any other and can show up as survivors).
    checkers: process.env.MDETECT_MUTATE_NO_CHECK ? [] : ["typescript"],
    tsconfigFile: "tsconfig.json",
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    // The machine is shared: one mutant at a time unless told otherwise (--concurrency).
    concurrency: 1,
    timeoutMS: 120000,
    incremental: true,
    incrementalFile: "reports/stryker-incremental.json",
    reporters: ["clear-text", "progress", "html", "json"],
    ignorePatterns: ["bench-data", "out", "reports", ".stryker-tmp"],
    tempDirName: ".stryker-tmp",
    cleanTempDir: true,
};
