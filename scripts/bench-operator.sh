#!/usr/bin/env bash
# Operator benchmark (issue 4 §4): N SquidProxy resources against the Fabric8 mock API server, the
# operator as its own process (the shaded jar). Prints time to convergence, API requests per
# resource, writes during a steady-state resync and the operator's RSS. Usage: scripts/bench-operator.sh [N...]
# (default 100 1000); BENCH_JVM overrides the operator's JVM flags. About 10 minutes for both sizes
# on 2 cores, nearly all of it the mock server creating the resources.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl operator -am install -DskipTests
mvn -B -ntp -q -pl operator test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
# private copies: other builds in the same tree may clean operator/target while this runs
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cp -r operator/target/test-classes "$work/test-classes"; cp -r operator/target/classes "$work/classes"
cp operator/target/cephaloproxy-operator.jar "$work/"
cp="$work/test-classes:$work/classes:$(cat operator/target/bench.classpath)"
# shellcheck disable=SC2086
java -cp "$cp" -Drepo.root="$PWD" ${BENCH_JVM:+"-Dbench.jvm=$BENCH_JVM"} io.cephaloproxy.operator.bench.OperatorBenchmark \
  "$work/cephaloproxy-operator.jar" ${@:-100 1000}
