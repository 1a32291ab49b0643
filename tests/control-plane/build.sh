#!/usr/bin/env bash
# Builds the Kubernetes binaries the suites run (control plane and node) from this Go module into
#   $KUBE_API_TEST_DIR/k8s/<version>-linux-amd64/{kube-apiserver,etcd,kubectl,kube-controller-manager,
#                                               kubelet,kube-scheduler,kube-proxy}
# the layout io.fabric8:kube-api-test reads. Idempotent: when every binary exists and was built from
# the current go.sum, nothing is rebuilt. Prints the binaries directory on the last line of stdout.
#
# Environment: KUBE_API_TEST_DIR (default /var/cache/cephaloproxy/kube), GO (default: go on PATH).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
GO="${GO:-go}"
export KUBE_API_TEST_DIR="${KUBE_API_TEST_DIR:-/var/cache/cephaloproxy/kube}"
# stdout carries only the binaries directory (fd 3); everything else goes to stderr.
exec 3>&1 1>&2
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0 GOOS=linux GOARCH=amd64

command -v "$GO" >/dev/null || { echo "build.sh: Go is required (go 1.26 or newer on PATH)" >&2; exit 1; }
version="$(sed -n 's/^[[:space:]]*k8s.io\/kubernetes v\([0-9][0-9.]*\)$/\1/p' "$here/go.mod" | head -1)"
[ -n "$version" ] || { echo "build.sh: cannot read the k8s.io/kubernetes version from go.mod" >&2; exit 1; }
out="$KUBE_API_TEST_DIR/k8s/$version-linux-amd64"
binaries=(kube-apiserver etcd kubectl kube-controller-manager kubelet kube-scheduler kube-proxy)
# (the contents only: a stamp over `sha256sum FILE...` output would include the clone's path and rebuild per clone)
stamp="$(cat "$here/go.mod" "$here/go.sum" "$here"/cmd/*/main.go "$here/build.sh" | sha256sum | cut -c1-64)"

complete=1
for b in "${binaries[@]}"; do [ -x "$out/$b" ] || complete=; done
if [ -n "$complete" ] && [ "$(cat "$out/.build-stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "Kubernetes $version binaries up to date in $out" >&2
  echo "$out" >&3
  exit 0
fi

echo "building Kubernetes $version binaries into $out (cold: ~15-25 min on 2 cores)" >&2
mkdir -p "$out"
tmp="$(mktemp -d "$KUBE_API_TEST_DIR/k8s/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
# One go build of all packages shares the compilation of the common dependencies.
pkgs=()
for b in "${binaries[@]}"; do pkgs+=("./cmd/$b"); done
# The version the binaries report (kubectl version, /version), as Kubernetes' own build stamps it.
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=v$version -X $p.gitMajor=${version%%.*} -X $p.gitMinor=$(echo "$version" | cut -d. -f2)"
  ldflags+=" -X $p.gitTreeState=clean"
done
(cd "$here" && nice -n 10 "$GO" build -trimpath -ldflags="$ldflags" -o "$tmp/" "${pkgs[@]}")
for b in "${binaries[@]}"; do
  [ -x "$tmp/$b" ] || { echo "build.sh: $b was not built" >&2; exit 1; }
  mv -f "$tmp/$b" "$out/$b"
done
echo "$stamp" > "$out/.build-stamp"
echo "built Kubernetes $version binaries in $(( $(date +%s) - start ))s" >&2
"$out/kube-apiserver" --version >&2
echo "$out" >&3
