#!/usr/bin/env bash
# `npm test`: the type check beside the whole suite. Both are mostly single-threaded and the
# machines (CI included) have 2 cores, so tsc (about 20 s) runs on the core mocha leaves idle
# instead of before it. The run fails if either fails; tsc's report is printed after the suite's,
# not into the middle of it.
set -uo pipefail

report=$(mktemp)
trap 'rm -f "$report"' EXIT

tsc --noEmit -p tsconfig.json > "$report" 2>&1 &
typecheck=$!

mocha 'tests/**/*.test.ts' "$@"
suite=$?

wait "$typecheck"
types=$?
if [ "$types" -ne 0 ]; then
  cat "$report"
  echo "npm test: the type check failed (tsc exit $types, its report above)" >&2
fi
# mocha's code is its failure count; a type error alone fails the run with tsc's code.
if [ "$suite" -ne 0 ]; then exit "$suite"; fi
exit "$types"
