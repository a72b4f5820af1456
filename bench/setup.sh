#!/usr/bin/env bash
# Set up what the benchmark needs beyond the project itself: a separate Python venv (bench/.venv)
# with matplotlib (chart), bullmq, redis and celery (peers), and Debian's redis-server.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v redis-server >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
	else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; fi
fi
if [ ! -x "$here/.venv/bin/python" ]; then
	python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install -q --upgrade pip >/dev/null
"$here/.venv/bin/pip" install -q matplotlib bullmq redis 'celery[redis]' psutil py-spy
echo "bench setup done: $("$here/.venv/bin/python" --version), $(redis-server --version | cut -d' ' -f3)"
