#!/usr/bin/env bash
# The project's test command (npm test): build, Python env, a broker, then every tier —
# unit, integration, python — in that order. A failing tier does not stop the others: one run
# shows everything that is broken. Exit non-zero if any step or tier failed.
# Broker: KAFKA_BROKERS if set; else whatever answers on 127.0.0.1:9092; else one started here
# and stopped again on exit (a broker this script did not start is left alone).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

LOGS="$(mktemp -d)"
summary=()
failed=0
passed_total=0 failed_total=0 skipped_total=0
started_broker=false

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if $started_broker; then
    npm run -s broker:stop || true
  fi
  rm -rf "$LOGS"
}
trap cleanup EXIT

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
  "$@" 2>&1 | tee "$LOGS/$name.log" || rc=${PIPESTATUS[0]}
  count_tests "$LOGS/$name.log"
  if ((rc == 0)); then
    record "$name" ok "$p passed, $f failed, $s skipped; $((SECONDS - t0)) s"
  else
    record "$name" FAIL "exit $rc; $p passed, $f failed, $s skipped; $((SECONDS - t0)) s"
  fi
}

echo "== build"
if npm run -s build; then record build ok ""; else record build FAIL "tsc failed"; fi

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

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
echo "total: $passed_total passed, $failed_total failed, $skipped_total skipped"
exit "$failed"
