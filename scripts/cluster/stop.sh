#!/usr/bin/env bash
# Stops the three-node dev cluster (npm run cluster:stop). Idempotent; data kept unless --wipe.
set -euo pipefail
# shellcheck source=scripts/cluster/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

wipe=false
for arg in "$@"; do
  case "$arg" in
    --wipe) wipe=true ;;
    *) echo "usage: stop.sh [--wipe]" >&2; exit 2 ;;
  esac
done

# All at once: a node stopping alone waits to move its partition leaderships to the others.
pids=()
for i in "${CLUSTER_NODES[@]}"; do
  if pid="$(node_pid "$i")"; then
    echo "cluster: stopping node $i (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
  fi
done
for pid in "${pids[@]}"; do stop_pid "$pid" 30; done
for i in "${CLUSTER_NODES[@]}"; do rm -f "$(node_dir "$i")/broker.pid"; done
[[ ${#pids[@]} -eq 0 ]] && echo "cluster: not running"

if $wipe; then
  rm -rf "$CLUSTER_DIR"
  echo "cluster: wiped $CLUSTER_DIR"
fi
exit 0
