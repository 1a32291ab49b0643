#!/usr/bin/env bash
# Runs every test of CephaloProxy on a fresh Debian 12 machine (as root, or with sudo rights):
# installs what it needs idempotently, builds what the suites use, then runs each stage in order.
# A stage whose prerequisite is missing fails; nothing is skipped silently. A failed stage is named
# (with its exit code) after its own messages; the time of every stage is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
export REPO_ROOT="$PWD"
start=$(date +%s)
times=()
for stage in scripts/stages/[0-9]*.sh; do
  name="$(basename "$stage")"
  echo "=== stage $name ($(( $(date +%s) - start ))s elapsed)"
  stage_start=$(date +%s)
  set +e
  bash "$stage"
  rc=$?
  set -e
  if [ "$rc" != 0 ]; then
    echo "=== stage $name FAILED (exit $rc) after $(( $(date +%s) - stage_start ))s; its messages are above ($stage)" >&2
    exit "$rc"
  fi
  times+=("$name $(( $(date +%s) - stage_start ))s")
done
printf '=== took %s\n' "${times[@]}"
echo "=== all stages passed in $(( $(date +%s) - start ))s"
