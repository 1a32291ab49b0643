#!/usr/bin/env bash
# The tests of the release command, against the local registry and the release of stage 60
# (dist/current), one after the other; each names itself when it fails, and every one runs even when
# an earlier one failed. Stage 90 runs this in its "checks" lane, beside the Maven lanes: the tests
# publish only scratch versions (0.0.1-*) and scratch repositories, never the release the suites install.
#   release-fails-cleanly.sh  a failed step names itself and its log; the previous release stays current
#   signatures.sh             signatures fail for a moved tag, a copied signature, an unsigned image, the wrong key
#   olm-refusals.sh           a CSV or catalog opm refuses fails the release's step with opm's message
#   olm-upgrade-graph.sh      the catalog carries the upgrade graph from the release RELEASE_PREVIOUS names
# ~60 s warm.
set -uo pipefail
cd "$(dirname "$0")/../.."
failed=()
for check in release-fails-cleanly.sh signatures.sh olm-refusals.sh olm-upgrade-graph.sh; do
  echo "release-checks: $check"
  start=$SECONDS
  if bash "scripts/tests/$check"; then
    echo "release-checks: $check passed in $((SECONDS - start))s"
  else
    echo "release-checks: FAIL: $check (exit $?) after $((SECONDS - start))s; its messages are above" >&2
    failed+=("$check")
  fi
done
[ "${#failed[@]}" = 0 ] || { echo "release-checks: FAIL: ${failed[*]}" >&2; exit 1; }
