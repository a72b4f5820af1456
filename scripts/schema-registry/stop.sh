#!/usr/bin/env bash
# Stops the registry that start.sh launched. Idempotent. Its storage is in memory: a restart
# starts empty (schema ids begin again at 1).
set -euo pipefail
# shellcheck source=scripts/schema-registry/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

if pid="$(registry_pid)"; then
  echo "schema-registry: stopping pid $pid"
  stop_pid "$pid" 15
  echo "schema-registry: stopped"
else
  echo "schema-registry: not running (no live registry pid in $PID_FILE)"
fi
rm -f "$PID_FILE"
