#!/usr/bin/env bash
# The Java example in one command (from the repository root): bash examples/java/run.sh
# Installs the Java client into ~/.m2, starts a runner serving examples/pipelines.py and the job of
# examples/java/job_pipelines.py on a request topic of the example's own, runs examples/java
# (Demo.java) against it, and stops the runner.
# Needs: a JDK 17+, Maven, the broker (npm run broker:start) and the Python env (npm run python:setup).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export MAVEN_OPTS="${MAVEN_OPTS:--Xmx512m}"
export MLBRIDGE_REQUEST_TOPIC="${MLBRIDGE_REQUEST_TOPIC:-ml.pipeline.example.java}"
# A catalogue of the example's own: the client reads the typed pipelines' schemas from it.
export MLBRIDGE_CATALOG_TOPIC="${MLBRIDGE_CATALOG_TOPIC:-$MLBRIDGE_REQUEST_TOPIC.catalog}"

mvn -q -B -Dstyle.color=never -f java/pom.xml install -DskipTests

log="$(mktemp)"
PYTHONPATH="$PWD/python-runner" .venv/bin/python -m mlbridge_runner --pipelines examples/pipelines.py \
  --pipelines examples/java/job_pipelines.py --catalog-topic "$MLBRIDGE_CATALOG_TOPIC" \
  --request-topic "$MLBRIDGE_REQUEST_TOPIC" --group "$MLBRIDGE_REQUEST_TOPIC.runners" 2>"$log" &
runner=$!
trap 'kill "$runner" 2>/dev/null; wait "$runner" 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 120); do
  grep -q '"runner.assigned"' "$log" && break
  kill -0 "$runner" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.5
done
echo "runner up (pid $runner)"

mvn -q -B -Dstyle.color=never -f examples/java/pom.xml compile exec:java
