#!/usr/bin/env bash
# Every Maven test: unit tests (*Test) in each module and the black-box suites (*IT, *E2E).
# The end-to-end suite on the local cluster (tests/cluster) runs only with CEPHALOPROXY_E2E=1
# (see stage 80); without it, it is left out and this stage says so.
set -euo pipefail
if [ "${CEPHALOPROXY_E2E:-0}" = 1 ]; then
  mvn -B -ntp verify
else
  echo "## tests/cluster (end-to-end on the local cluster) NOT RUN: set CEPHALOPROXY_E2E=1 (issue 7 open)"
  mvn -B -ntp verify -pl '!tests/cluster'
fi
