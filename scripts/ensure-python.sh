#!/usr/bin/env bash
# Makes sure a Python with scikit-learn 1.2 (the sagemaker-scikit-learn:1.2-1 image's minor) can
# run the model locally (run by `npm test` as pretest, after ensure-mariadb.sh).
# - MDETECT_PYTHON set: check that one. Otherwise Debian's /usr/bin/python3 (python3-sklearn is
#   1.2.1 on bookworm); never a bare python3 first (often a pyenv without scikit-learn).
# - Missing and root with apt-get: install python3-sklearn and python3-joblib from Debian.
# - Otherwise: print why and carry on; the model tests then skip and say so, the rest still runs.
set -uo pipefail

PYTHON="${MDETECT_PYTHON:-/usr/bin/python3}"
PROBE='import sklearn, joblib, numpy; assert sklearn.__version__.startswith("1.2."), sklearn.__version__'

usable() { "$PYTHON" -c "$PROBE" >/dev/null 2>&1; }

if usable; then exit 0; fi

if [ -z "${MDETECT_PYTHON:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-python: installing python3-sklearn and python3-joblib from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq python3 python3-sklearn python3-joblib >/dev/null; then
    if usable; then exit 0; fi
  fi
fi

why="$("$PYTHON" -c "$PROBE" 2>&1 | tail -n 1)"
echo "ensure-python: no Python with scikit-learn 1.2 at $PYTHON (${why:-not found}); the real-model tests will be skipped with this reason" >&2
exit 0
