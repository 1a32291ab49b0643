#!/usr/bin/env bash
# Builds OLM v0 (github.com/operator-framework/operator-lifecycle-manager v0.33.0) from its Go module,
# once per inputs, and prints the directory that holds it (the only thing on stdout):
#
#   OLM=$(scripts/olm/build.sh)
#   $OLM/bin/{olm,catalog,package-server,copy-content,cpb}     the binaries of OLM's image
#   $OLM/manifests/{crds.yaml,olm.yaml}                         deploy/upstream/quickstart of v0.33.0
#
# Built like the release's tools (scripts/supply-chain-tool.sh): in the module itself, downloaded at
# the exact version into the module cache and checked against the checksum database (the proxy
# serves v0.33.0 but refuses to list the module's versions), so OLM's own go.mod applies with its
# replace directives (openshift/api and openshift/client-go pinned to release-4.12, grpc, cel-go)
# and its go.sum. The build settings are those of OLM's Makefile: CGO_ENABLED=0, tag json1, the
# version and commit linked into pkg/version. OLM v0.33.0 requires operator-registry v1.56.0, the
# opm of the release (stage 37).
#
# The result lands in $CEPHALOPROXY_CACHE/olm/v0.33.0-<key> (default cache /var/cache/cephaloproxy),
# <key> hashing the module's checksum, the build settings, the Go version and this script;
# $CEPHALOPROXY_CACHE/olm/current links to the newest. Warm: well under a second; cold: see
# docs/benchmarks.md#olm (most of it compiling Kubernetes' client libraries).
set -euo pipefail
exec 3>&1 1>&2   # stdout carries only the path (fd 3)
export PATH="$PATH:/usr/local/go/bin"
die() { echo "olm/build.sh: $*" >&2; exit 1; }
module=github.com/operator-framework/operator-lifecycle-manager
version=v0.33.0
commit=77ae211df6d76cc0163c94263a2c3e0b9fe00138   # refs/tags/v0.33.0 (the proxy's Origin.Hash)
packages=(./cmd/olm ./cmd/catalog ./cmd/package-server ./cmd/copy-content ./util/cpb)
tags=json1
ldflags="-s -w -X $module/pkg/version.OLMVersion=$version -X $module/pkg/version.GitCommit=$commit"
command -v go >/dev/null || die "Go (1.26 or newer) is required to build OLM; none on PATH"

cache="${CEPHALOPROXY_CACHE:-/var/cache/cephaloproxy}/olm"
info="$(GOTOOLCHAIN=local GOFLAGS= go mod download -json "$module@$version")" \
  || die "go mod download $module@$version failed: $info"
dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p' <<<"$info")"
sum="$(sed -n 's/^[[:space:]]*"Sum": "\(.*\)",*$/\1/p' <<<"$info")"
[ -n "$dir" ] && [ -f "$dir/go.mod" ] && [ -n "$sum" ] || die "go mod download $module@$version gave no module directory: $info"
grep -q "^\s*github.com/openshift/api => github.com/openshift/api " "$dir/go.mod" \
  || die "$dir/go.mod has lost its openshift/api replace directive; this script expects OLM's go.mod of $version"
key="$( { echo "$module@$version $sum ${packages[*]} tags=$tags ldflags=$ldflags cgo=0 trimpath"; go version; cat "$0"; } \
  | sha256sum | cut -c1-16)"
out="$cache/$version-$key"
if [ ! -x "$out/bin/cpb" ]; then
  echo "building OLM $version from $module (key $key; cold: many minutes on 2 cores)"
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/.build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  start=$SECONDS
  mkdir -p "$tmp/bin" "$tmp/manifests"
  (cd "$dir" && GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 \
    nice -n 10 go build -trimpath -tags="$tags" -ldflags="$ldflags" -o "$tmp/bin/" "${packages[@]}") \
    || die "go build of OLM $version failed (see the messages above)"
  for b in olm catalog package-server copy-content cpb; do [ -x "$tmp/bin/$b" ] || die "go build made no $b"; done
  cp "$dir/deploy/upstream/quickstart/crds.yaml" "$dir/deploy/upstream/quickstart/olm.yaml" "$tmp/manifests/"
  chmod -R u+w,go+rX "$tmp"
  echo "$module $version ($commit, $sum), built with $(go version | cut -d' ' -f3) in $((SECONDS - start)) s" >"$tmp/BUILD"
  rm -rf "$out"; mv "$tmp" "$out"
  echo "built OLM $version in $((SECONDS - start)) s: $out"
fi
ln -sfn "$(basename "$out")" "$cache/current"
echo "$out" >&3
