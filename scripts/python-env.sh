#!/usr/bin/env bash
# Creates or updates the Python environment for the runner (npm run python:setup):
# a venv (default <root>/.venv, override MLBRIDGE_VENV) with python-runner installed editable,
# plus its test, registry, metrics and tracing extras. Quick when nothing changed: pip runs only
# when pyproject.toml's hash differs from the one stored in the venv, or the package does not import.
# Interpreter: MLBRIDGE_PYTHON, else python3 (needs >= 3.10).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MLBRIDGE_VENV:-$ROOT/.venv}"
PYTHON="${MLBRIDGE_PYTHON:-python3}"
PYPROJECT="$ROOT/python-runner/pyproject.toml"
STAMP="$VENV/.mlbridge-pyproject.sha256"

# sync-schemas.sh exists in a checkout, not in the published npm package (whose
# python-runner already carries the copied schemas).
if [[ -f "$ROOT/scripts/sync-schemas.sh" ]]; then
  bash "$ROOT/scripts/sync-schemas.sh"
fi

[[ -f "$PYPROJECT" ]] || { echo "python-env: $PYPROJECT not found" >&2; exit 1; }

# Two test runs at once must not pip-install into the same venv concurrently.
LOCK_DIR="${MLBRIDGE_CACHE_DIR:-$ROOT/.cache}"
mkdir -p "$LOCK_DIR"
exec 9>"$LOCK_DIR/python-env.lock"
flock -w 600 9 || { echo "python-env: timed out waiting for another python-env.sh" >&2; exit 1; }

# A venv whose interpreter vanished (pyenv version removed, moved folder) is rebuilt.
if ! "$VENV/bin/python" -c '' 2>/dev/null; then
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || { echo "python-env: $PYTHON is older than 3.10" >&2; exit 1; }
  echo "python-env: creating venv $VENV ($("$PYTHON" --version 2>&1))"
  "$PYTHON" -m venv --clear "$VENV"
fi

# The C extensions (setup.py, codec/_*.c, _*.h) are built at install: a change to them reinstalls.
want="$(cat "$PYPROJECT" "$ROOT/python-runner/setup.py" "$ROOT"/python-runner/mlbridge_runner/codec/_*.[ch] \
  2>/dev/null | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$STAMP" 2>/dev/null || true)" == "$want" ]] \
  && "$VENV/bin/python" -c 'import mlbridge_runner' 2>/dev/null; then
  echo "python-env: $VENV is up to date"
  exit 0
fi

echo "python-env: installing python-runner[test,registry,metrics,tracing,data,models,s3,examples] into $VENV"
rm -f "$STAMP"
"$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q \
  -e "$ROOT/python-runner[test,registry,metrics,tracing,data,models,s3,examples]"
echo "$want" >"$STAMP"
"$VENV/bin/python" - <<'PY'
from importlib.metadata import version
import confluent_kafka, mlbridge_runner
from mlbridge_runner.codec.envelope_codec import ACCELERATED
from mlbridge_runner.codec.value import ACCELERATED as VALUE_ACCELERATED
print(f"python-env: ready (confluent-kafka {version('confluent-kafka')}, "
      f"librdkafka {confluent_kafka.libversion()[0]}, fastavro {version('fastavro')}, "
      f"codecs {'C' if ACCELERATED and VALUE_ACCELERATED else 'pure Python: no C compiler or Python headers at install'})")
PY
