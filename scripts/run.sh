#!/usr/bin/env bash
# The main job: build the operator and render what it would create for examples/basic.yaml into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
[ -f operator/target/cephaloproxy-operator.jar ] || mvn -B -ntp -q install -DskipTests -DskipITs -pl operator -am
java -jar operator/target/cephaloproxy-operator.jar render -f examples/basic.yaml -o out/
echo "rendered into out/"
