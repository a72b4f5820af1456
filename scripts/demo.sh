#!/usr/bin/env bash
# npm run demo: build, make sure Python and a broker are there, run an example, and stop the broker
# again only if this script started it. The examples:
#   npm run demo [-- aiops [--days 7 --seed 7 --chart out.png ...]]   examples/aiops/aiops.ts (default)
#   npm run demo -- basic                                              examples/demo.ts
#   npm run demo -- jobs [--kill-runner]                               examples/jobs.ts
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
	'' | --*) example=examples/aiops/aiops.ts ;;
	aiops) example=examples/aiops/aiops.ts; shift ;;
	basic) example=examples/demo.ts; shift ;;
	jobs) example=examples/jobs.ts; shift ;;
	*) echo "usage: npm run demo [-- aiops [options] | basic | jobs [--kill-runner]]" >&2; exit 2 ;;
esac

npm run --silent build
bash scripts/python-env.sh

started_broker=0
if [[ -z "${KAFKA_BROKERS:-}" ]] && ! node scripts/broker/wait-ready.mjs --timeout 2 --quiet >/dev/null 2>&1; then
	bash scripts/broker/start.sh
	started_broker=1
fi
cleanup() {
	if [[ $started_broker == 1 ]]; then bash scripts/broker/stop.sh; fi
}
trap cleanup EXIT

MLBRIDGE_PYTHON="${MLBRIDGE_PYTHON:-$PWD/.venv/bin/python}" node --import tsx "$example" "$@"
