#!/usr/bin/env bash
# A CSV or catalog that opm refuses fails the release's step with opm's own message (issue 14 §1-2),
# before anything is pushed. Runs the release's own functions (scripts/release-supply-chain.sh:
# pin_bundle, bundle_check, catalog_validate) with the opm of scripts/supply-chain-tool.sh:
#   1. this repository's bundle, pinned for a release, passes (the control);
#   2. a CSV whose spec.version is not SemVer: bundle_check fails, printing opm's error;
#   3. a catalog whose channel names a bundle the package does not have: catalog_validate fails,
#      printing opm's error.
# ~5 s.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
fail() { echo "olm-refusals: FAIL: $*" >&2; exit 1; }
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
source "$REPO_ROOT/scripts/lib.sh"
PROJECT_VERSION="$(project_version)"
VERSION=$PROJECT_VERSION
check() { "$@" || { echo "check failed: $*"; return 1; }; }
source "$REPO_ROOT/scripts/release-supply-chain.sh"
echo "OPM=$("$REPO_ROOT/scripts/supply-chain-tool.sh" opm)" >"$WORK/tools.env"
declare -A REF=([operator]="registry.test/cephaloproxy/operator@sha256:$(printf 'a%.0s' {1..64})"
                [squid]="registry.test/cephaloproxy/squid@sha256:$(printf 'b%.0s' {1..64})")
csv() { echo "$1/$CSV_FILE"; }
# bundle CASE EDIT...: a pinned copy of bundle/ with the sed EDITs applied to its CSV
bundle() {
  local dir="$WORK/$1"; shift
  mkdir -p "$dir"; cp -a "$REPO_ROOT/bundle/." "$dir/"
  pin_bundle "$dir" >"$WORK/pin.out" 2>&1 || fail "pin_bundle failed on $dir: $(cat "$WORK/pin.out")"
  [ $# = 0 ] || sed -i "$@" "$(csv "$dir")"
  echo "$dir"
}
# refused WHAT OUTPUT-FILE: the function failed, said opm refused, and passed on opm's message
refused() {
  grep -q "^opm refused" "$2" || fail "$1: no 'opm refused' line: $(cat "$2")"
  [ "$(wc -l <"$2")" -ge 2 ] || fail "$1: opm's own message is missing: $(cat "$2")"
  echo "olm-refusals: ok: $1 is refused with opm's message: $(sed -n 2p "$2" | cut -c1-200)"
}

# 1. the control
dir="$(bundle good)"
bundle_check "$dir" >"$WORK/good.out" 2>&1 || fail "the repository's bundle is refused: $(cat "$WORK/good.out")"
grep -q "${REF[operator]}" "$WORK/bundle-check/$OLM_PACKAGE/bundle.yaml" \
  || fail "opm's rendering of the pinned bundle does not carry the operator's digest"
echo "olm-refusals: ok: the pinned bundle renders and validates"

# 2. spec.version not SemVer
dir="$(bundle bad-version -e "s|^  version: $VERSION\$|  version: not-a-version|")"
if bundle_check "$dir" >"$WORK/bad-version.out" 2>&1; then fail "a CSV with version 'not-a-version' passed"; fi
refused "a CSV whose version is not SemVer" "$WORK/bad-version.out"

# 3. a channel entry without its bundle
mkdir -p "$WORK/fbc/$OLM_PACKAGE"
cp "$WORK/bundle-check/$OLM_PACKAGE/package.yaml" "$WORK/fbc/$OLM_PACKAGE/"
printf '%s\n' "---" "schema: olm.channel" "package: $OLM_PACKAGE" "name: $OLM_CHANNEL" "entries:" \
  "  - name: $OLM_PACKAGE.v9.9.9" >"$WORK/fbc/$OLM_PACKAGE/channel.yaml"
if catalog_validate "$WORK/fbc" >"$WORK/fbc.out" 2>&1; then fail "a channel naming a missing bundle passed"; fi
refused "a catalog whose channel names a missing bundle" "$WORK/fbc.out"
echo "olm-refusals: 3 passed, 0 failed"
