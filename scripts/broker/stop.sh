#!/usr/bin/env bash
# Stops the dev broker that start.sh launched (npm run broker:stop). Idempotent.
# Data is kept, so topics and committed offsets survive a restart; --wipe deletes them.
# A broker this script did not start (KAFKA_BROKERS, docker compose) is never touched.
set -euo pipefail
for arg in "$@"; do [[ "$arg" == --secure ]] && export MLBRIDGE_BROKER_SECURE=1; done
# shellcheck source=scripts/broker/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

wipe=false
for arg in "$@"; do
  case "$arg" in
    --wipe) wipe=true ;;
    --secure) ;;
    *) echo "usage: stop.sh [--secure] [--wipe]" >&2; exit 2 ;;
  esac
done

if pid="$(broker_pid)"; then
  echo "broker: stopping pid $pid"
  started=$SECONDS
  stop_pid "$pid" 30
  echo "broker: stopped in $((SECONDS - started)) s"
else
  echo "broker: not running (no live broker pid in $PID_FILE)"
fi
rm -f "$PID_FILE"

if $wipe; then
  # Next start formats a fresh cluster (new cluster id, no topics, no offsets).
  rm -rf "$DATA_DIR"
  echo "broker: wiped $DATA_DIR"
  # The secure instance's users were made at format time: new passwords and certificates with it.
  if [[ "$SECURE" == 1 ]]; then rm -rf "$RUN_DIR/security"; fi
fi
