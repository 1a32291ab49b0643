#!/usr/bin/env bash
# Benchmark of the compiled Squid config on real Squid (issue 2 §5): prints figures, asserts nothing about
# speed. wrk in one network namespace, Squid in another, nginx as the origin in a third; ~2-3 minutes.
# Output: the figures on stdout and in tests/squid/target/squid-benchmark.md (copy into docs/benchmarks.md).
#
# Usage: scripts/squid-bench.sh [all|prepare|run]   (default all: prepare, then run)
#   prepare  installs wrk, nginx-light and squid-openssl, stops a system nginx or Squid, compiles
#            tests/squid's test classes and copies them with their class path to target/squid-bench/
#   run      runs the benchmark from that copy
# Stage 90 (scripts/stages/90-test.sh) prepares before its lanes start and runs the benchmark in a lane
# beside them: the host lane's Maven rebuilds tests/squid/target meanwhile, which the copy keeps apart.
# Figures for docs/benchmarks.md come from a run on a quiet machine (`scripts/squid-bench.sh` alone).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
mode="${1:-all}"
copy="$PWD/target/squid-bench"
case "$mode" in all|prepare|run) ;; *)
  echo "squid-bench.sh: unknown mode '$mode': use all, prepare or run" >&2; exit 2 ;;
esac

if [ "$mode" != run ]; then
  ensure_packages squid-openssl wrk nginx-light
  # Debian's nginx package starts its service on :80 when installed: the benchmark runs its own nginx
  # inside a namespace, so stop the system one if it is running.
  if [ -f /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
    as_root kill "$(cat /run/nginx.pid)" || true
  fi
  stop_system_squid
  mvn -B -ntp -q -pl tests/squid test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
  rm -rf "$copy"; mkdir -p "$copy"
  cp -a tests/squid/target/test-classes "$copy/classes"
  cp tests/squid/target/bench-classpath.txt "$copy/classpath.txt"
fi
if [ "$mode" != prepare ]; then
  [ -d "$copy/classes" ] && [ -f "$copy/classpath.txt" ] \
    || { echo "squid-bench.sh: no prepared copy in $copy: run 'scripts/squid-bench.sh prepare' first" >&2; exit 1; }
  mkdir -p tests/squid/target
  java -cp "$copy/classes:$(cat "$copy/classpath.txt")" \
    io.cephaloproxy.tests.squid.SquidBenchmark tests/squid/target/squid-benchmark.md
fi
