#!/usr/bin/env bash
# Runs every test of CephaloProxy on a fresh Debian 12 machine (as root, or with sudo rights):
# installs what it needs idempotently, builds what the suites use, then runs each stage in order.
# A stage whose prerequisite is missing fails; nothing is skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."
export REPO_ROOT="$PWD"
start=$(date +%s)
for stage in scripts/stages/[0-9]*.sh; do
  echo "=== stage $(basename "$stage") ($(( $(date +%s) - start ))s elapsed)"
  bash "$stage"
done
echo "=== all stages passed in $(( $(date +%s) - start ))s"
