#!/usr/bin/env bash
# The release's catalog carries the upgrade graph (issue 14 §3): with RELEASE_PREVIOUS naming an
# earlier release's record, the catalog keeps that release's bundles and channel entries and the new
# version replaces it. Runs the release's own functions (scripts/release-supply-chain.sh: pin_bundle,
# catalog_graph, catalog_validate) on bundle directories (opm renders directories offline) with the
# opm of scripts/supply-chain-tool.sh; the bundle images' part is tested on the node by OlmE2E.
#   1. 0.1.0 alone: one entry, no replaces;
#   2. 0.2.0 after 0.1.0: both bundles, 0.2.0 replaces 0.1.0, skipRange "<0.2.0"; opm validates;
#      release.env's OLM_REPLACES (catalog_replaces) names 0.1.0's CSV (none for 0.1.0 alone);
#   3. 0.3.0 after that 0.2.0: the chain 0.1.0 <- 0.2.0 <- 0.3.0, every bundle kept;
#   4. refused with a one-line reason: the same or a lower version, a directory that is no release.
# ~5 s.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
fail() { echo "olm-upgrade-graph: FAIL: $*" >&2; exit 1; }
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
source "$REPO_ROOT/scripts/lib.sh"
PROJECT_VERSION="$(project_version)"
check() { "$@" || { echo "check failed: $*"; return 1; }; }
source "$REPO_ROOT/scripts/release-supply-chain.sh"
echo "OPM=$("$REPO_ROOT/scripts/supply-chain-tool.sh" opm)" >"$WORK/tools.env"
source "$WORK/tools.env"
declare -A REF=([operator]="registry.test/cephaloproxy/operator@sha256:$(printf 'a%.0s' {1..64})"
                [squid]="registry.test/cephaloproxy/squid@sha256:$(printf 'b%.0s' {1..64})")

# release V [PREVIOUS]: the catalog part of a release record dist/V (release.env, catalog/) as
# release.sh writes it, the bundle rendered from a pinned copy of bundle/; prints nothing, fails with
# catalog_graph's output in $WORK/V.out (and leaves dist/ as it was)
release() {
  local v=$1 prev=${2:-} rec="$WORK/new-$1" fbc
  VERSION=$v
  fbc="$rec/catalog/$OLM_PACKAGE"
  rm -rf "$rec"; mkdir -p "$fbc" "$WORK/bundle-$v"
  cp -a "$REPO_ROOT/bundle/." "$WORK/bundle-$v/"
  pin_bundle "$WORK/bundle-$v" >"$WORK/$v.out" 2>&1 || fail "pin_bundle $v: $(cat "$WORK/$v.out")"
  "$OPM" init "$OLM_PACKAGE" --default-channel="$OLM_CHANNEL" --output=yaml >"$fbc/package.yaml"
  "$OPM" render "$WORK/bundle-$v" --output=yaml >"$fbc/bundle.yaml"
  RELEASE_PREVIOUS=$prev catalog_graph "$fbc" >"$WORK/$v.out" 2>&1 || return 1
  catalog_validate "$rec/catalog" >>"$WORK/$v.out" 2>&1 || fail "opm refused the catalog of $v: $(cat "$WORK/$v.out")"
  echo "VERSION=$v" >"$rec/release.env"
  mkdir -p "$WORK/dist"; rm -rf "$WORK/dist/$v"; mv "$rec" "$WORK/dist/$v"
}
# entries V: the channel entries of release V, one line each: "NAME [replaces NAME] [skipRange R]"
entries() {
  sed -n '/^entries:$/,$p' "$WORK/dist/$1/catalog/$OLM_PACKAGE/channel.yaml" | tail -n +2 \
    | sed -e 's/^  - name: //' -e 's/^    replaces: / replaces /' -e 's/^    skipRange: / skipRange /' | paste -sd '|' \
    | sed 's/|\( replaces\| skipRange\)/\1/g' | tr '|' '\n'
}
# bundles V: the CSV names of the bundles in release V's catalog
bundles() { cat "$WORK/dist/$1/catalog/$OLM_PACKAGE"/*.yaml | sed -n 's/^name: \(cephaloproxy-operator\.v.*\)$/\1/p' | sort | paste -sd ' '; }
# replaces V: what release.env's OLM_REPLACES says for release V (catalog_replaces)
replaces() { catalog_replaces "$WORK/dist/$1/catalog/$OLM_PACKAGE"; }
p=$OLM_PACKAGE

release 0.1.0 || fail "0.1.0: $(cat "$WORK/0.1.0.out")"
[ "$(entries 0.1.0)" = "$p.v0.1.0 skipRange \"<0.1.0\"" ] || fail "0.1.0 alone: entries $(entries 0.1.0)"
[ -z "$(replaces 0.1.0)" ] || fail "0.1.0 alone: release.env would say OLM_REPLACES=$(replaces 0.1.0)"
echo "olm-upgrade-graph: ok: 0.1.0 alone: $(entries 0.1.0)"

release 0.2.0 "$WORK/dist/0.1.0" || fail "0.2.0: $(cat "$WORK/0.2.0.out")"
expected="$p.v0.1.0 skipRange \"<0.1.0\"
$p.v0.2.0 replaces $p.v0.1.0 skipRange \"<0.2.0\""
[ "$(entries 0.2.0)" = "$expected" ] || fail "0.2.0 after 0.1.0: entries $(entries 0.2.0)"
[ "$(bundles 0.2.0)" = "$p.v0.1.0 $p.v0.2.0" ] || fail "0.2.0's catalog holds the bundles $(bundles 0.2.0)"
[ "$(replaces 0.2.0)" = "$p.v0.1.0" ] || fail "0.2.0: release.env would say OLM_REPLACES=$(replaces 0.2.0)"
echo "olm-upgrade-graph: ok: 0.2.0 replaces 0.1.0, both bundles, opm validates"

release 0.3.0 "$WORK/dist/0.2.0" || fail "0.3.0: $(cat "$WORK/0.3.0.out")"
[ "$(entries 0.3.0 | sed 's/ skipRange.*//' | paste -sd ' ')" = "$p.v0.1.0 $p.v0.2.0 replaces $p.v0.1.0 $p.v0.3.0 replaces $p.v0.2.0" ] \
  || fail "0.3.0 after 0.2.0: entries $(entries 0.3.0)"
[ "$(bundles 0.3.0)" = "$p.v0.1.0 $p.v0.2.0 $p.v0.3.0" ] || fail "0.3.0's catalog holds the bundles $(bundles 0.3.0)"
[ "$(replaces 0.3.0)" = "$p.v0.2.0" ] || fail "0.3.0: release.env would say OLM_REPLACES=$(replaces 0.3.0)"
echo "olm-upgrade-graph: ok: 0.3.0 continues the chain 0.1.0 <- 0.2.0 <- 0.3.0"

# refusals: one line naming what is wrong
refused() { # WHAT VERSION PREVIOUS EXPECTED-TEXT
  if release "$2" "$3"; then fail "$1 passed"; fi
  [ "$(wc -l <"$WORK/$2.out")" = 1 ] && grep -q "$4" "$WORK/$2.out" || fail "$1: message '$(cat "$WORK/$2.out")'"
  echo "olm-upgrade-graph: ok: $1 is refused: $(cat "$WORK/$2.out")"
}
refused "the same version as the previous release" 0.3.0 "$WORK/dist/0.3.0" "an upgrade needs an earlier version than 0.3.0"
refused "a lower version than the previous release" 0.2.5 "$WORK/dist/0.3.0" "an upgrade needs an earlier version than 0.2.5"
refused "a directory that is no release record" 0.4.0 "$WORK" "is not a release record with a catalog"
echo "olm-upgrade-graph: 6 passed, 0 failed"
