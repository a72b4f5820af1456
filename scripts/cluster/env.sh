# shellcheck shell=bash disable=SC2034  # variables are used by the scripts that source this
# Sourced by start.sh and stop.sh: the three-node dev cluster's ports, folders and settings.
# Overrides: MLBRIDGE_CLUSTER_BASE_PORT (node i listens on base+100*(i-1), its controller on that +1),
# MLBRIDGE_CLUSTER_DIR, MLBRIDGE_CLUSTER_HEAP (per node), and the dev broker's (scripts/broker/env.sh).

# shellcheck source=scripts/broker/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../broker/env.sh"

CLUSTER_DIR="${MLBRIDGE_CLUSTER_DIR:-$CACHE_DIR/kafka/cluster}"
CLUSTER_BASE_PORT="${MLBRIDGE_CLUSTER_BASE_PORT:-29092}"
CLUSTER_NODES=(1 2 3)
# 2 cores and 24 GB here, shared with tests and runners: enough for a few thousand partitions.
CLUSTER_HEAP="${MLBRIDGE_CLUSTER_HEAP:--Xms256m -Xmx384m}"

node_port() { echo $((CLUSTER_BASE_PORT + 100 * ($1 - 1))); }
node_controller_port() { echo $(($(node_port "$1") + 1)); }
node_dir() { echo "$CLUSTER_DIR/node$1"; }

cluster_brokers() {
  local list="" i
  for i in "${CLUSTER_NODES[@]}"; do list+="${list:+,}$BROKER_HOST:$(node_port "$i")"; done
  echo "$list"
}

cluster_voters() {
  local list="" i
  for i in "${CLUSTER_NODES[@]}"; do list+="${list:+,}$i@$BROKER_HOST:$(node_controller_port "$i")"; done
  echo "$list"
}

node_pid() {
  live_pid "$(node_dir "$1")/broker.pid" 'kafka\.Kafka'
}
