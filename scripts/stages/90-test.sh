#!/usr/bin/env bash
# Every test: unit tests (*Test) in each module, the black-box suites (*IT, *E2E), the tests of the
# release command and the Squid benchmark.
#
# Three lanes run at the same time and share nothing but the machine:
#   node: tests/cluster, the end-to-end suite on the local node that stage 80 brought up. Its time
#         goes mostly to waiting (rollouts, the kubelet, Helm); it touches only the node, its own
#         cephalo-* network namespaces and the registry (read).
#   host: every other module in reactor order: the unit tests, tests/squid (real Squid in network
#         namespaces of its own), tests/image (the image under Docker), tests/apiserver (its own etcd,
#         kube-apiserver and controller manager on free ports), tests/install. None uses the node.
#   checks: scripts/tests/image-sbom.sh (scanners see what is inside the images: syft reads them from
#         Docker), scripts/tests/release-checks.sh (the release command's tests: scratch versions and
#         repositories of the local registry, never the release the node lane installs), then the Squid
#         benchmark (scripts/squid-bench.sh run: figures only, from a copy of tests/squid's classes made
#         before the lanes start; its own network namespaces). About 4 minutes; it used to be stages 46,
#         50 and 60's tail, one after the other before any suite started.
# tests/support runs first, alone: it also resolves the test providers (surefire/failsafe) into the
# local Maven repository, so the Maven lanes never download into it at the same time. They build
# their modules with -pl and without -am: the modules they depend on come from the local repository,
# where stage 20 installed them, so each module is built by exactly one Maven.
#
# By default the lanes run at the same time (issue 13 §5: the node lane mostly waits; a whole warm
# run took 27 min this way against about 44 min one after the other, see docs/benchmarks.md).
# CEPHALOPROXY_TEST_LANES=serial runs them one after the other (checks, host, then node).
# Each lane's output is written to target/test-logs/LANE.log and, prefixed with "[LANE] ", to
# stdout. Maven runs --fail-at-end: a failed module does not hide the results of the modules that do
# not depend on it. The stage waits for every lane; a lane that failed is named with its exit code, the
# module and test classes that failed and the log to read.
set -euo pipefail
cd "$(dirname "$0")/../.."
case "${CEPHALOPROXY_TEST_LANES:-parallel}" in serial|parallel) ;; *)
  echo "90-test: CEPHALOPROXY_TEST_LANES is '${CEPHALOPROXY_TEST_LANES}': set it to parallel (the default) or serial" >&2
  exit 1 ;;
esac
logs="$PWD/target/test-logs"
mkdir -p "$logs"
mvn=(mvn -B -ntp --fail-at-end verify)

# lane NAME WHAT COMMAND...: runs COMMAND in the background; its pid goes to lane_pid[NAME].
declare -A lane_pid lane_start lane_what
lane() {
  local name="$1" what="$2"; shift 2
  lane_start[$name]=$SECONDS
  lane_what[$name]="$what"
  # pipefail: the subshell's status is the command's (tee and awk do not fail); it notes when it ended
  ( set -o pipefail
    rc=0
    "$@" 2>&1 </dev/null | tee "$logs/$name.log" | awk -v p="[$name] " '{ print p $0; fflush() }' || rc=$?
    echo "$SECONDS" >"$logs/$name.end"
    exit "$rc"
  ) &
  lane_pid[$name]=$!
}

# failed_what LOG: the modules and test classes Maven reports as failed and the scripts that say
# "NAME: FAIL: ...", one line each (at most 20).
failed_what() {
  { grep -o 'Failed to execute goal .* on project [^:]*' "$1" | sed 's/.* on project /module /' || true
    grep -E '^[a-z0-9.-]+: FAIL: ' "$1" || true
    grep -E '^\[ERROR\] Tests run: .*<<< (FAILURE|ERROR)' "$1" | sed 's/.* -- in /failed: /' || true
  } | sort -u | head -20
}

# on interruption, stop the lanes' Maven processes and their test JVMs (children first)
stop_lanes() {
  local p
  for p in "${lane_pid[@]}"; do
    pkill -TERM -P "$p" 2>/dev/null || true
    kill -TERM "$p" 2>/dev/null || true
  done
}
trap 'stop_lanes; exit 130' INT TERM

start=$SECONDS
echo "90-test: tests/support first (it resolves the test providers once for the Maven lanes)"
"${mvn[@]}" -pl tests/support 2>&1 | tee "$logs/support.log" \
  || { echo "90-test: FAIL: tests/support failed (read $logs/support.log)" >&2; exit 1; }

# finish NAME: waits for the lane, reports it; lane_rc[NAME] is its exit code.
declare -A lane_rc
finish() {
  local name="$1" rc took
  set +e; wait "${lane_pid[$name]}"; rc=$?; set -e
  lane_rc[$name]=$rc
  took=$(( $(cat "$logs/$name.end" 2>/dev/null || echo "$SECONDS") - ${lane_start[$name]} ))
  if [ "$rc" = 0 ]; then
    echo "90-test: lane $name (${lane_what[$name]}) passed in ${took}s; log $logs/$name.log"
  else
    {
      echo "90-test: FAIL: lane $name (${lane_what[$name]}) failed (exit $rc) after ${took}s; read $logs/$name.log"
      failed_what "$logs/$name.log" | sed 's/^/90-test:   /'
    } >&2
  fi
}

echo "90-test: preparing the Squid benchmark (packages, a copy of tests/squid's test classes)"
bash scripts/squid-bench.sh prepare \
  || { echo "90-test: FAIL: preparing the Squid benchmark failed (scripts/squid-bench.sh prepare, messages above)" >&2; exit 1; }

node=(node "tests/cluster" "${mvn[@]}" -pl tests/cluster)
host=(host "every module but tests/cluster" "${mvn[@]}" -pl '!tests/support,!tests/cluster')
checks=(checks "image SBOMs, release tests, Squid benchmark" bash -c 'rc=0; bash scripts/tests/image-sbom.sh || rc=1; bash scripts/tests/release-checks.sh || rc=1; bash scripts/squid-bench.sh run || rc=1; exit $rc')
if [ "${CEPHALOPROXY_TEST_LANES:-parallel}" = serial ]; then
  lane "${checks[@]}"; finish checks
  lane "${host[@]}"; finish host
  lane "${node[@]}"; finish node
else
  lane "${node[@]}"
  lane "${host[@]}"
  lane "${checks[@]}"
  finish checks
  finish host
  finish node
fi
echo "90-test: lanes ended in $((SECONDS - start))s"
[ "${lane_rc[checks]}" = 0 ] && [ "${lane_rc[host]}" = 0 ] && [ "${lane_rc[node]}" = 0 ] \
  || { echo "90-test: FAIL: lane(s) failed (named above with their logs)" >&2; exit 1; }
