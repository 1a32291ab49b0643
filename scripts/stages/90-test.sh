#!/usr/bin/env bash
# Every Maven test: unit tests (*Test) in each module and the black-box suites (*IT, *E2E).
set -euo pipefail
mvn -B -ntp verify
