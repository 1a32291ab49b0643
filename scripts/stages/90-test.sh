#!/usr/bin/env bash
# Every Maven test: unit tests (*Test) in each module and the black-box suites (*IT, *E2E).
# The end-to-end suite (tests/cluster) runs on the local cluster that stage 80 brought up.
set -euo pipefail
mvn -B -ntp verify
