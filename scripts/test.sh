#!/usr/bin/env bash
# The project's test command (npm test): build, Python env, a broker, then every tier —
# unit, integration, python — in that order. A failing tier does not stop the others: one run
# shows everything that is broken. Exit non-zero if any step or tier failed.
# Broker: KAFKA_BROKERS if set; else whatever answers on 127.0.0.1:9092; else one started here
# and stopped again on exit (a broker this script did not start is left alone).
# Each tier is limited to MLBRIDGE_TIER_TIMEOUT seconds (default 1200).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Per tier, in seconds: three tiers at the default fit CI's 90 minutes with room for set-up.
TIER_TIMEOUT="${MLBRIDGE_TIER_TIMEOUT:-1200}"
LOGS="$(mktemp -d)"
tier_pid='' tail_pid=''
summary=()
failed=0
passed_total=0 failed_total=0 skipped_total=0
started_broker=false
started_registry=false

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  # Ctrl-C reaches only the foreground group; the tier runs in timeout's own group.
  if [[ -n "$tier_pid" ]]; then
    kill -TERM "$tier_pid" 2>/dev/null || true
    wait "$tier_pid" 2>/dev/null || true
  fi
  [[ -z "$tail_pid" ]] || kill "$tail_pid" 2>/dev/null || true
  if $started_registry; then
    bash scripts/schema-registry/stop.sh || true
  fi
  if $started_broker; then
    npm run -s broker:stop || true
  fi
  rm -rf "$LOGS"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

record() { # name status detail
  summary+=("$(printf '%-12s %-5s %s' "$1" "$2" "$3")")
  [[ "$2" == FAIL ]] && failed=1
  return 0
}

# Reads the closing counts of node's test runner (TAP "# pass N" or spec "ℹ pass N") and
# pytest ("3 passed, 1 failed in 0.5s") from a tier's log into p/f/s, and adds them to the
# totals, so the run ends with one line that counts every test.
count_tests() { # logfile
  read -r p f s < <(awk '
    /^(#|ℹ) (pass|fail|skipped|todo|cancelled) [0-9]+$/ { node[$2] = $3 }
    / in [0-9.]+s/ && /[0-9]+ (passed|failed|skipped|errors?)/ { py = $0 }
    END {
      P = node["pass"]; F = node["fail"] + node["cancelled"]; S = node["skipped"] + node["todo"]
      gsub(/[,=]/, " ", py); n = split(py, w, " ")
      for (i = 2; i <= n; i++) {
        if (w[i] == "passed") P += w[i-1]
        else if (w[i] == "failed" || w[i] ~ /^errors?$/) F += w[i-1]
        else if (w[i] == "skipped") S += w[i-1]
      }
      print P + 0, F + 0, S + 0
    }' "$1")
  passed_total=$((passed_total + p))
  failed_total=$((failed_total + f))
  skipped_total=$((skipped_total + s))
}

have_files() { # "glob glob ..." (true if any matches; globstar, so ** recurses)
  local matches
  shopt -s nullglob globstar
  # shellcheck disable=SC2206  # splitting and globbing are the point here
  matches=($1)
  shopt -u nullglob globstar
  ((${#matches[@]} > 0))
}

run_tier() { # name "globs" command...
  local name="$1" globs="$2" rc=0 t0=$SECONDS p f s
  shift 2
  if ! have_files "$globs"; then
    echo "== $name: skipped, no test files yet ($globs)"
    record "$name" SKIP "no files matching $globs"
    return 0
  fi
  echo "== $name: $*"
  # Output goes to a file that tail follows until the tier's process exits. Not a pipe into
  # tee: a test that leaves a child process behind would hold the pipe open and hang the run.
  # timeout: one hung test must not eat CI's whole budget; it signals the tier's process group.
  local log="$LOGS/$name.log"
  : >"$log"
  timeout --kill-after=15 "$TIER_TIMEOUT" "$@" >"$log" 2>&1 </dev/null &
  tier_pid=$!
  # In the background too: bash runs a signal trap only between commands, and `wait` is one
  # it interrupts, so Ctrl-C or a TERM from CI reaches cleanup() at once.
  tail -n +1 -f --pid="$tier_pid" "$log" &
  tail_pid=$!
  wait "$tail_pid" || true
  wait "$tier_pid" || rc=$?
  tier_pid='' tail_pid=''
  count_tests "$log"
  local detail="$p passed, $f failed, $s skipped; $((SECONDS - t0)) s"
  if ((rc == 0)); then
    record "$name" ok "$detail"
  elif ((rc == 124 || rc == 137)); then
    record "$name" FAIL "timed out after ${TIER_TIMEOUT} s (MLBRIDGE_TIER_TIMEOUT); $detail"
  else
    record "$name" FAIL "exit $rc; $detail"
  fi
}

echo "== build"
if npm run -s build; then record build ok ""; else record build FAIL "tsc failed"; fi

# The type tests (test/types) pin the public API: a @ts-expect-error that compiles is a failure.
echo "== typecheck"
if npm run -s typecheck; then record typecheck ok "incl. test/types"; else record typecheck FAIL "tsc --noEmit failed"; fi

echo "== python:setup"
python_ok=true
if npm run -s python:setup; then record python-env ok ""; else python_ok=false; record python-env FAIL ""; fi

echo "== broker"
broker_ok=true
if [[ -n "${KAFKA_BROKERS:-}" ]] || node scripts/broker/wait-ready.mjs --timeout 3 --quiet; then
  # Not ours (KAFKA_BROKERS, or already up): check it, and never stop it.
  if npm run -s broker:start; then record broker ok "existing"; else broker_ok=false; record broker FAIL ""; fi
else
  if npm run -s broker:start; then
    started_broker=true
    record broker ok "started here, stopped on exit"
  else
    # start.sh may have left a pid file for a half-started broker; stop.sh cleans it up.
    started_broker=true
    broker_ok=false
    record broker FAIL "see .cache/kafka/run/broker.log"
  fi
fi

# The schema-registry tests (issue 5) need a Confluent-compatible registry: SCHEMA_REGISTRY_URL,
# one already answering on the port, or Apicurio started here (built from Maven Central once) and
# stopped on exit.
echo "== schema registry"
registry_port="${MLBRIDGE_SCHEMA_REGISTRY_PORT:-18081}"
if [[ -z "${SCHEMA_REGISTRY_URL:-}" ]] && ! curl -fsS -m 2 "http://127.0.0.1:$registry_port/apis/ccompat/v6/subjects" >/dev/null 2>&1; then
  started_registry=true
fi
if url="$(bash scripts/schema-registry/start.sh | tail -n 1)"; then
  record registry ok "$url$($started_registry && echo ', started here, stopped on exit')"
else
  record registry FAIL "see .cache/schema-registry/run/registry.log"
fi

run_tier unit "test/unit/*.test.ts" npm run -s test:unit
if $broker_ok; then
  run_tier integration "test/integration/*.test.ts" npm run -s test:integration
else
  record integration FAIL "not run: no broker"
fi
if $python_ok; then
  run_tier python "python-runner/tests/**/test_*.py python-runner/tests/**/*_test.py" npm run -s test:python
else
  record python FAIL "not run: python:setup failed"
fi
# The Java client (java/, issue 17): its codec against the shared vectors and its calls to a real
# runner. Needs a JDK and Maven (CI has both); skipped, saying why, where either is missing.
if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
  echo "== java: SKIP, $(command -v java >/dev/null 2>&1 || printf 'no java') $(command -v mvn >/dev/null 2>&1 || printf 'no mvn') on PATH"
  record java SKIP "no java or no mvn on PATH (apt-get install openjdk-17-jdk-headless maven)"
elif $broker_ok && $python_ok; then
  run_tier java "java/src/test/**/*Test.java" bash java/test.sh
else
  record java FAIL "not run: no broker or no Python"
fi
# Faults injected (runners SIGKILLed, rolling restarts, a second broker killed): bounded by
# MLBRIDGE_RELIABILITY_SCALE=ci unless set to full.
if $broker_ok && $python_ok; then
  run_tier reliability "test/reliability/*.test.ts" npm run -s test:reliability
else
  record reliability FAIL "not run: no broker or no Python"
fi

# The dashboard in a real headless Chromium (Debian's chromium package, driven by puppeteer-core;
# no browser is ever downloaded): skipped, saying why, where no chromium is installed.
chromium_bin="${CHROMIUM_PATH:-$(command -v chromium || command -v chromium-browser || true)}"
if [[ -z "$chromium_bin" ]]; then
  echo "== browser: SKIP, no chromium found (apt-get install chromium, or set CHROMIUM_PATH)"
  record browser SKIP "no chromium found (apt-get install chromium, or set CHROMIUM_PATH)"
elif $broker_ok && $python_ok; then
  CHROMIUM_PATH="$chromium_bin" run_tier browser "test/browser/*.test.ts" npm run -s test:browser
else
  record browser FAIL "not run: no broker or no Python"
fi

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
# Counts come only from runners that reached their closing lines: a tier that crashed or timed
# out adds none, so name the failed steps before the total.
failed_steps=$(printf '%s\n' "${summary[@]}" | awk '$2 == "FAIL" { printf "%s%s", sep, $1; sep = ", " }')
[[ -z "$failed_steps" ]] || echo "failed: $failed_steps"
echo "total: $passed_total passed, $failed_total failed, $skipped_total skipped"
exit "$failed"
