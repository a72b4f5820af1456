#!/usr/bin/env bash
# The Java tier of npm test (scripts/test.sh): the client's JUnit tests (codec against the shared
# vectors; calls to a real runner on the real broker), quiet, then one closing line with the counts
# read from Surefire's reports ("N passed, N failed, N skipped in Ts": scripts/test.sh adds it to
# the run's total). Maven fetches what it lacks from Maven Central into ~/.m2.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export MAVEN_OPTS="${MAVEN_OPTS:--Xmx512m}"
t0=$SECONDS
rm -rf target/surefire-reports
mvn -q -B -Dstyle.color=never test "$@"
rc=$?
read -r tests failures errors skipped < <(cat target/surefire-reports/TEST-*.xml 2>/dev/null | awk '
  /<testsuite / {
    for (i = 1; i <= NF; i++) {
      if (split($i, kv, "=") == 2) { gsub(/"|>/, "", kv[2]); n[kv[1]] += kv[2] }
    }
  }
  END { print n["tests"] + 0, n["failures"] + 0, n["errors"] + 0, n["skipped"] + 0 }')
# On a line of its own: Maven's output may end in colour codes without a newline, which would glue
# onto the count and make scripts/test.sh read 0.
echo
echo "$((tests - failures - errors - skipped)) passed, $((failures + errors)) failed, $skipped skipped in $((SECONDS - t0)).0s"
if ((rc == 0 && tests == 0)); then
  echo "java: no test ran" >&2
  exit 1
fi
exit "$rc"
