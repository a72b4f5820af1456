# shellcheck shell=bash disable=SC2034  # variables are used by the scripts that source this
# Sourced by start.sh and stop.sh: one place for the dev broker's version, paths and ports.
# Overrides: MLBRIDGE_KAFKA_VERSION, MLBRIDGE_CACHE_DIR, KAFKA_HEAP_OPTS, JAVA_HOME, and for a second
# instance beside the dev broker (the reliability suite kills one): MLBRIDGE_BROKER_PORT,
# MLBRIDGE_CONTROLLER_PORT, MLBRIDGE_BROKER_RUN_DIR (its own config, data, pid and logs).

BROKER_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BROKER_SCRIPTS/../.." && pwd)"
# shellcheck source=scripts/lib/processes.sh
source "$ROOT/scripts/lib/processes.sh"

# Keep in step with docker-compose.yml (apache/kafka image tag) and pom.xml's default.
KAFKA_VERSION="${MLBRIDGE_KAFKA_VERSION:-4.4.0}"
CACHE_DIR="${MLBRIDGE_CACHE_DIR:-$ROOT/.cache}"
# Jars per version, so switching versions never mixes class paths; run state is shared.
KAFKA_LIB="$CACHE_DIR/kafka/$KAFKA_VERSION/lib"
# MLBRIDGE_BROKER_SECURE=1 (or start.sh --secure): the SASL_SSL instance (secure.sh), on ports and
# a run folder of its own so it runs beside the plaintext dev broker.
SECURE="${MLBRIDGE_BROKER_SECURE:-0}"
[[ "$SECURE" == 1 ]] && default_run_dir="$CACHE_DIR/kafka/run-secure" || default_run_dir="$CACHE_DIR/kafka/run"
RUN_DIR="${MLBRIDGE_BROKER_RUN_DIR:-$default_run_dir}"
DATA_DIR="$RUN_DIR/data"
PID_FILE="$RUN_DIR/broker.pid"
LOG_FILE="$RUN_DIR/broker.log"   # log4j2 output (see log4j2.xml)
OUT_FILE="$RUN_DIR/broker.out"   # JVM stdout/stderr: crashes before log4j is up land here

BROKER_HOST=127.0.0.1
if [[ "$SECURE" == 1 ]]; then
  BROKER_PORT="${MLBRIDGE_BROKER_PORT:-9192}"
  CONTROLLER_PORT="${MLBRIDGE_CONTROLLER_PORT:-9193}"
else
  BROKER_PORT="${MLBRIDGE_BROKER_PORT:-9092}"
  CONTROLLER_PORT="${MLBRIDGE_CONTROLLER_PORT:-9093}"
fi

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# Prints the pid of the service start.sh launched, if that process is still it.
broker_pid() {
  live_pid "$PID_FILE" 'kafka\.Kafka'
}

# SIGTERM, then up to $2 seconds for Kafka's clean shutdown (it flushes logs and writes a
# clean-shutdown marker, so the next start skips log recovery), then SIGKILL.
stop_pid() {
  local pid="$1" timeout="${2:-30}" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= timeout * 10)); then
      echo "broker: pid $pid still up after ${timeout}s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  # After SIGKILL, wait until the kernel has released the process (and its ports).
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# Jars once per version (also used by scripts/cluster); copied to a temp folder first so an
# interrupted download never leaves a half-filled lib/ that would be taken as complete next time.
# $1: where Maven's output goes (shown only on failure).
fetch_kafka_jars() {
  [[ -d "$KAFKA_LIB" ]] && return 0
  command -v mvn >/dev/null || { echo "broker: mvn not found (needed once to fetch Kafka jars)" >&2; return 1; }
  echo "broker: fetching Kafka $KAFKA_VERSION jars with Maven into $KAFKA_LIB"
  local tmp_lib="$KAFKA_LIB.tmp.$$"
  rm -rf "$tmp_lib"
  mkdir -p "$(dirname "$KAFKA_LIB")" "$(dirname "$1")"
  # Debian's Maven 3.8 prints stray colour codes even in batch mode, and a successful download
  # needs no narration.
  mvn -B -f "$BROKER_SCRIPTS/pom.xml" \
    -Dkafka.version="$KAFKA_VERSION" -DoutputDirectory="$tmp_lib" -DincludeScope=runtime \
    dependency:copy-dependencies >"$1" 2>&1 \
    || { tail -n 60 "$1" >&2; rm -rf "$tmp_lib"; return 1; }
  mv "$tmp_lib" "$KAFKA_LIB"
}
