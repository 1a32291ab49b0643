#!/usr/bin/env bash
# Regenerates the committed files derived from other sources, for the install paths:
#   helm/cephaloproxy-operator/crds/   <- crds/ (the CRD the API module generates)
#   bundle/manifests/                  <- bundle/csv-base.yaml, the chart, files/rules.yaml, crds/, examples/
#   docs/reference.md                  <- crds/
# Run it after changing any of those sources, then commit the results. The tests of
# tests/install fail while any of these files is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl tests/install test -Dcephaloproxy.regenerate=true \
  -Dtest='ChartTest#chartCrdIsTheGeneratedCrd,BundleTest#committedBundleIsGeneratedFromTheSingleSources,DocsTest#referenceIsGeneratedFromTheCrd' \
  -Dsurefire.failIfNoSpecifiedTests=false
git status --short -- helm/cephaloproxy-operator/crds bundle/manifests docs/reference.md
