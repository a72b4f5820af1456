#!/usr/bin/env bash
# Runs the Python runner's tests (npm run test:python) with the venv from python-env.sh.
# Extra arguments go to pytest (e.g. npm run test:python -- -k codec).
# No test files yet: skipped with a note. Test files but nothing collected (pytest exit 5):
# a failure, since a broken collection must not pass as "no tests".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MLBRIDGE_VENV:-$ROOT/.venv}"
cd "$ROOT"

shopt -s nullglob globstar
test_files=(python-runner/tests/**/test_*.py python-runner/tests/**/*_test.py)
if ((${#test_files[@]} == 0)); then
  echo "test-python: no test files under python-runner/tests yet; skipping"
  exit 0
fi
[[ -x "$VENV/bin/python" ]] || { echo "test-python: no venv at $VENV; run npm run python:setup" >&2; exit 1; }

rc=0
"$VENV/bin/python" -m pytest python-runner/tests -q "$@" || rc=$?
if ((rc == 5)); then
  echo "test-python: pytest collected no tests although ${#test_files[@]} test files exist" >&2
  exit 1
fi
exit "$rc"
