#!/usr/bin/env bash
# Regenerates the committed files derived from other sources, for the install paths
# (tests/install InstallArtifacts, a tool with a main):
#   helm/cephaloproxy-operator/templates/crd-squidproxies.yaml <- crds/ (the CRD the API module generates)
#   bundle/manifests/                  <- bundle/csv-base.yaml, the chart, files/rules.yaml, crds/, examples/
#   docs/reference.md                  <- crds/
#   docs/operator.md (RBAC tables)     <- helm/cephaloproxy-operator/files/rules.yaml
#   helm/cephaloproxy-operator/README.md (values table) <- helm/cephaloproxy-operator/values.yaml
# Run it after changing any of those sources, then commit the results. The tests of
# tests/install fail while any of these files is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl tests/install test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt >&2
java -cp "tests/install/target/test-classes:$(cat tests/install/target/test-classpath.txt)" \
  io.cephaloproxy.tests.install.InstallArtifacts
git status --short -- helm/cephaloproxy-operator bundle/manifests docs/reference.md docs/operator.md
