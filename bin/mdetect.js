#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so that no build step stands between a clone and `mdetect`.
require("tsx/cjs");
require("../scripts/mdetect.ts")
  .main(process.argv.slice(2))
  // An error reported on the way (scripts/mdetect.ts) keeps the exit code non-zero.
  .then((code) => { process.exitCode = code || process.exitCode; });
