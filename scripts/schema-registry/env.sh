# shellcheck shell=bash disable=SC2034  # variables are used by the scripts that source this
# Sourced by start.sh and stop.sh: one place for the test registry's version, paths and port.
# Overrides: MLBRIDGE_SCHEMA_REGISTRY_PORT (default 18081), MLBRIDGE_CACHE_DIR, JAVA_HOME,
# SCHEMA_REGISTRY_HEAP_OPTS.

REGISTRY_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$REGISTRY_SCRIPTS/../.." && pwd)"
# shellcheck source=scripts/lib/processes.sh
source "$ROOT/scripts/lib/processes.sh"

# Keep in step with pom.xml's apicurio.version.
APICURIO_VERSION=2.1.5.Final
CACHE_DIR="${MLBRIDGE_CACHE_DIR:-$ROOT/.cache}"
APP_DIR="$CACHE_DIR/schema-registry/apicurio-$APICURIO_VERSION"   # runner jar + lib/
RUN_DIR="$CACHE_DIR/schema-registry/run"
PID_FILE="$RUN_DIR/registry.pid"
LOG_FILE="$RUN_DIR/registry.log"

REGISTRY_HOST=127.0.0.1
REGISTRY_PORT="${MLBRIDGE_SCHEMA_REGISTRY_PORT:-18081}"
# What Confluent clients take as their base URL: Apicurio's Confluent-compatible API.
REGISTRY_URL="http://$REGISTRY_HOST:$REGISTRY_PORT/apis/ccompat/v6"
HEALTH_URL="http://$REGISTRY_HOST:$REGISTRY_PORT/health/ready"

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# Prints the pid of the service start.sh launched, if that process is still it.
registry_pid() {
  live_pid "$PID_FILE" 'schema-registry-1-runner\.jar'
}

# True when the registry answers its readiness check and lists subjects.
registry_ready() {
  curl -fsS -m 3 "$HEALTH_URL" >/dev/null 2>&1 && curl -fsS -m 3 "$REGISTRY_URL/subjects" >/dev/null 2>&1
}

# SIGTERM, up to $2 seconds for Quarkus' shutdown, then SIGKILL; returns once the pid is gone.
stop_pid() {
  local pid="$1" timeout="${2:-15}" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= timeout * 10)); then
      echo "schema-registry: pid $pid still up after ${timeout}s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}
