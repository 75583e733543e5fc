#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so that no build step stands between a clone and `mdetect`.
require("tsx/cjs");
// `mdetect ... | head` closes the pipe early: that is the reader's choice, not an error to report.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => { if (err.code === "EPIPE") process.exit(process.exitCode || 0); else throw err; });
}
require("../scripts/mdetect.ts")
  .main(process.argv.slice(2))
  // An error reported on the way (scripts/mdetect.ts) keeps the exit code non-zero.
  .then((code) => { process.exitCode = code || process.exitCode; });
