#!/usr/bin/env bash
# `npm test`: the type check beside the whole suite. The suite runs in parallel, one mocha worker
# per core (mocha's default is one fewer, a single worker on the 2-core machines CI included, no
# faster than a serial run); tsc (about 20 s) runs beside it instead of before it. The run fails if
# either fails; tsc's report is printed after the suite's, not into the middle of it.
set -uo pipefail

report=$(mktemp)
trap 'rm -f "$report"' EXIT

tsc --noEmit -p tsconfig.json > "$report" 2>&1 &
typecheck=$!

mocha --parallel --jobs "$(nproc)" 'tests/**/*.test.ts' "$@"
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
