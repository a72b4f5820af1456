#!/usr/bin/env bash
# Starts a Confluent-compatible schema registry on 127.0.0.1:18081 for tests and CI, and prints
# the base URL to give Confluent clients (last line of stdout). Idempotent. No Docker: Apicurio
# Registry (in-memory storage) is built once from Maven Central into .cache/schema-registry/.
#   - SCHEMA_REGISTRY_URL set: start nothing, only check that registry answers.
#   - Our registry already running: wait until it is ready and print its URL.
#   - Otherwise build (once), start java in the background, wait until ready.
set -euo pipefail
# shellcheck source=scripts/schema-registry/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

READY_TIMEOUT="${MLBRIDGE_SCHEMA_REGISTRY_TIMEOUT:-120}"

if [[ -n "${SCHEMA_REGISTRY_URL:-}" ]]; then
  # Someone else owns that registry; starting a local one would hide a misconfiguration.
  curl -fsS -m 5 "$SCHEMA_REGISTRY_URL/subjects" >/dev/null \
    || { echo "schema-registry: SCHEMA_REGISTRY_URL=$SCHEMA_REGISTRY_URL does not answer" >&2; exit 1; }
  echo "schema-registry: using SCHEMA_REGISTRY_URL" >&2
  echo "$SCHEMA_REGISTRY_URL"
  exit 0
fi

wait_ready() {
  local pid="$1" deadline=$((SECONDS + READY_TIMEOUT))
  while ((SECONDS < deadline)); do
    registry_ready && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

mkdir -p "$RUN_DIR"
# Two test runs starting at once must not both build or both launch java.
exec 9>"$RUN_DIR/start.lock"
flock -w 600 9 || { echo "schema-registry: timed out waiting for another start.sh" >&2; exit 1; }

if pid="$(registry_pid)"; then
  if wait_ready "$pid"; then
    echo "schema-registry: already running (pid $pid)" >&2
    echo "$REGISTRY_URL"
    exit 0
  fi
  echo "schema-registry: pid $pid is running but not answering; see $LOG_FILE" >&2
  exit 1
fi
rm -f "$PID_FILE"
if port_open "$REGISTRY_HOST" "$REGISTRY_PORT"; then
  # Started by someone else (another checkout, a CI service): use it, never stop it.
  if registry_ready; then
    echo "schema-registry: a registry not started by this script answers on port $REGISTRY_PORT; using it" >&2
    echo "$REGISTRY_URL"
    exit 0
  fi
  echo "schema-registry: port $REGISTRY_PORT is taken by something that does not answer as a registry" >&2
  exit 1
fi

# --- tools: a fresh machine may lack them; Debian's packages are enough (Java 17, Maven 3.8).
if ! command -v mvn >/dev/null || ! "$JAVA" -version >/dev/null 2>&1; then
  echo "schema-registry: installing Java and Maven (apt-get)" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven; } >&2 \
    || { echo "schema-registry: could not install java/mvn" >&2; exit 1; }
fi

# --- build once per version into a temp folder, so an interrupted build is never taken as done.
if [[ ! -f "$APP_DIR/schema-registry-1-runner.jar" ]]; then
  echo "schema-registry: building Apicurio Registry $APICURIO_VERSION with Maven into $APP_DIR" >&2
  build="$CACHE_DIR/schema-registry/build.$$"
  rm -rf "$build"
  mkdir -p "$build/src/main/resources"
  cp "$REGISTRY_SCRIPTS/pom.xml" "$build/pom.xml"
  cp "$REGISTRY_SCRIPTS/application.properties" "$build/src/main/resources/"
  # Output to a file, shown only on failure (Debian's Maven prints colour codes even with -B).
  (cd "$build" && mvn -B -DskipTests package) >"$RUN_DIR/mvn.log" 2>&1 \
    || { tail -n 60 "$RUN_DIR/mvn.log" >&2; rm -rf "$build"; exit 1; }
  rm -rf "$APP_DIR.tmp"
  mkdir -p "$APP_DIR.tmp"
  cp -r "$build/target/lib" "$build/target/schema-registry-1-runner.jar" "$APP_DIR.tmp/"
  rm -rf "$APP_DIR" "$build"
  mv "$APP_DIR.tmp" "$APP_DIR"
fi

read -r -a heap_opts <<<"${SCHEMA_REGISTRY_HEAP_OPTS:--Xms64m -Xmx256m}"
log_start=$(( $(stat -c %s "$LOG_FILE" 2>/dev/null || echo 0) + 1 ))
echo "schema-registry: starting Apicurio Registry $APICURIO_VERSION on port $REGISTRY_PORT (log: $LOG_FILE)" >&2
# setsid: own session, so Ctrl-C in the terminal that ran the tests does not reach it.
# The child writes its own pid (java's after exec); fd 9 (the start lock) is closed.
# shellcheck disable=SC2016  # $$ and $@ belong to the inner shell
nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
  "$JAVA" "${heap_opts[@]}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Dquarkus.http.host="$REGISTRY_HOST" -Dquarkus.http.port="$REGISTRY_PORT" \
  -Dquarkus.log.level=WARN \
  -jar "$APP_DIR/schema-registry-1-runner.jar" \
  >>"$LOG_FILE" 2>&1 </dev/null 9>&- &

for _ in $(seq 50); do [[ -s "$PID_FILE" ]] && break; sleep 0.1; done
pid="$(cat "$PID_FILE")"

started=$SECONDS
if wait_ready "$pid"; then
  echo "schema-registry: ready in $((SECONDS - started)) s (pid $pid)" >&2
  echo "$REGISTRY_URL"
  exit 0
fi
echo "schema-registry: failed to start; last lines of $LOG_FILE:" >&2
tail -c "+$log_start" "$LOG_FILE" 2>/dev/null | tail -n 40 >&2 || true
stop_pid "$pid" 10
rm -f "$PID_FILE"
exit 1
