#!/usr/bin/env bash
# Benchmark of the compiled Squid config on real Squid (issue 2 §5): prints figures, asserts nothing about
# speed. wrk in one network namespace, Squid in another, nginx as the origin in a third; ~2-3 minutes.
# Output: the figures on stdout and in tests/squid/target/squid-benchmark.md (copy into docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh
ensure_packages squid-openssl wrk nginx-light
# Debian's nginx package starts its service on :80 when installed: the benchmark runs its own nginx
# inside a namespace, so stop the system one if it is running.
if [ -f /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
  as_root kill "$(cat /run/nginx.pid)" || true
fi
stop_system_squid
mvn -B -ntp -q -pl tests/squid test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
java -cp "tests/squid/target/test-classes:$(cat tests/squid/target/bench-classpath.txt)" \
  io.cephaloproxy.tests.squid.SquidBenchmark tests/squid/target/squid-benchmark.md
