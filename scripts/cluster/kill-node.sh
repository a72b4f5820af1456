#!/usr/bin/env bash
# Kills one node of the dev cluster (for failover tests and drills): kill-node.sh N [SIGNAL], SIGKILL
# by default. Waits until the process is gone. `npm run cluster:start` (idempotent) starts it again.
set -euo pipefail
# shellcheck source=scripts/cluster/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
node="${1:?usage: kill-node.sh N [SIGNAL]}"
signal="${2:-KILL}"
if ! pid="$(node_pid "$node")"; then
  echo "cluster: node $node is not running"
  exit 0
fi
kill "-$signal" "$pid"
for _ in $(seq 1 600); do
  kill -0 "$pid" 2>/dev/null || { echo "cluster: node $node (pid $pid) stopped by SIG$signal"; exit 0; }
  sleep 0.1
done
echo "cluster: node $node (pid $pid) still running 60 s after SIG$signal" >&2
exit 1
