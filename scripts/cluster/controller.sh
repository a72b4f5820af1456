#!/usr/bin/env bash
# Prints the node id of the cluster's active controller (the KRaft quorum leader).
set -euo pipefail
# shellcheck source=scripts/cluster/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bootstrap=""
for i in "${CLUSTER_NODES[@]}"; do
  if node_pid "$i" >/dev/null; then bootstrap+="${bootstrap:+,}$BROKER_HOST:$(node_controller_port "$i")"; fi
done
[[ -n "$bootstrap" ]] || { echo "cluster: no node is running" >&2; exit 1; }
"$JAVA" -cp "$KAFKA_LIB/*" org.apache.kafka.tools.MetadataQuorumCommand --bootstrap-controller "$bootstrap" describe --status \
  | awk '/^LeaderId:/ {print $2; found=1} END {exit !found}'
