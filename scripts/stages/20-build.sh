#!/usr/bin/env bash
# Builds and installs every Maven module (unit tests run in the test stage, not here).
set -euo pipefail
mvn -B -ntp install -DskipTests -DskipITs
