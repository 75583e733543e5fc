// Mocha 12 renamed its CLI helpers to .cjs (lib/cli/run-helpers.cjs, options.cjs, collect-files.cjs);
// @stryker-mutator/mocha-runner@9 (the last for Node 20) requires them without an extension, which
// Node's CommonJS resolver completes only from require.extensions. Registering .cjs there lets those
// requires resolve; it changes nothing else (.cjs files already load as CommonJS).
// Loaded through NODE_OPTIONS by stryker.config.mjs, in Stryker's own process and its workers.
if (!require.extensions[".cjs"]) require.extensions[".cjs"] = require.extensions[".js"];
