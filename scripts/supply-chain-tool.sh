#!/usr/bin/env bash
# Builds one of the supply-chain tools from its Go module, once per inputs, and prints the binary's
# path (the only thing on stdout):
#
#   SYFT=$(scripts/supply-chain-tool.sh syft)     # github.com/anchore/syft (SBOMs of images)
#   COSIGN=$(scripts/supply-chain-tool.sh cosign) # github.com/sigstore/cosign/v2 (signatures)
#   OPM=$(scripts/supply-chain-tool.sh opm)       # github.com/operator-framework/operator-registry
#   scripts/supply-chain-tool.sh grpc_health_probe # for the catalog image (OLM probes it)
#   PROMTOOL=$(scripts/supply-chain-tool.sh promtool) # github.com/prometheus/prometheus: checks and
#                                                    # unit-tests the chart's alert rules (stage 35)
#
# Unlike scripts/build-go-tool.sh (a Go module of this repository), these are built from the
# upstream module itself: the module proxy serves these exact versions (it refuses to list them) and
# their go.mod files have no replace directives, so each is built in its own module (downloaded
# into the module cache, checked against the checksum database) with exactly its own go.sum. The binary lands in
# $CEPHALOPROXY_CACHE/tools/<tool>-<version>-<key> (default cache /var/cache/cephaloproxy), <key>
# being the hash of what makes the binary: package, version, cgo, tags, linker flags and the Go
# version. A binary already there is reused (warm: well under a second).
set -euo pipefail
exec 3>&1 1>&2   # stdout carries only the path (fd 3)
export PATH="$PATH:/usr/local/go/bin"
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
[ $# = 1 ] || die "usage: supply-chain-tool.sh syft|cosign|opm|grpc_health_probe|promtool"
tool="$1"
cgo=0 tags=
case "$tool" in
  syft)
    module=github.com/anchore/syft version=v1.57.2 pkg=github.com/anchore/syft/cmd/syft
    ldflags="-X main.version=${version#v} -X main.gitDescription=$version" ;;
  cosign)
    module=github.com/sigstore/cosign/v2 version=v2.6.1 pkg=github.com/sigstore/cosign/v2/cmd/cosign
    ldflags="-X sigs.k8s.io/release-utils/version.gitVersion=$version -X sigs.k8s.io/release-utils/version.gitTreeState=clean" ;;
  opm)
    # operator-registry v1.56.0 is the release OLM v0.33.0 requires. opm links SQLite (cgo) for its
    # deprecated index commands; the tags are those of its Makefile.
    module=github.com/operator-framework/operator-registry version=v1.56.0 pkg=$module/cmd/opm cgo=1
    tags=json1,containers_image_openpgp
    ldflags="-X $module/cmd/opm/version.opmVersion=$version" ;;
  grpc_health_probe)
    # OLM v0's catalog pods probe the registry server with /bin/grpc_health_probe: the catalog
    # image's base (scripts/release-supply-chain.sh) holds it beside opm.
    module=github.com/grpc-ecosystem/grpc-health-probe version=v0.4.63 pkg=. ldflags="-X main.versionTag=$version" ;;
  promtool)
    # Prometheus v3.16.0 (its Go module is versioned v0.316.0); promtool checks and unit-tests the
    # chart's PrometheusRule (tests/install PrometheusRulesTest).
    module=github.com/prometheus/prometheus version=v0.316.0 pkg=./cmd/promtool
    ldflags="-X github.com/prometheus/common/version.Version=3.16.0 -X github.com/prometheus/common/version.Revision=$version" ;;
  *) die "unknown tool '$tool' (syft, cosign, opm, grpc_health_probe or promtool)" ;;
esac
command -v go >/dev/null || die "Go (1.26 or newer) is required to build $tool; none on PATH"
[ "$cgo" = 0 ] || command -v gcc >/dev/null || die "$tool needs a C compiler (cgo): apt-get install gcc libc6-dev"

cache="${CEPHALOPROXY_CACHE:-/var/cache/cephaloproxy}/tools"
key="$( { echo "$pkg@$version cgo=$cgo tags=$tags ldflags=-s -w $ldflags trimpath"; go version; } | sha256sum | cut -c1-16)"
bin="$cache/$tool-$version-$key"
if [ ! -x "$bin" ]; then
  echo "building $tool $version from $module (key $key; cold: minutes on 2 cores)"
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/.build-$tool.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  start=$SECONDS
  # (not `go install PKG@VERSION`: it asks the proxy for the module's version list, which the
  # proxy refuses for operator-registry; downloading the exact version works for all three)
  dir="$(GOTOOLCHAIN=local GOFLAGS= go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
  [ -n "$dir" ] && [ -f "$dir/go.mod" ] || die "go mod download $module@$version failed (see the messages above)"
  (cd "$dir" && GOTOOLCHAIN=local GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=$cgo \
    nice -n 10 go build -trimpath ${tags:+-tags=$tags} -ldflags="-s -w $ldflags" -o "$tmp/$tool" "$pkg") \
    || die "go build of $pkg ($module@$version) failed (see the messages above)"
  mv "$tmp/$tool" "$bin"
  echo "built $tool $version in $((SECONDS - start)) s: $bin"
fi
ln -sfn "$(basename "$bin")" "$cache/$tool"
echo "$bin" >&3
