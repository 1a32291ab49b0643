#!/usr/bin/env bash
# Builds the Kubernetes binaries (kube-apiserver, etcd, kubectl, kube-controller-manager, kubelet,
# kube-scheduler, kube-proxy) from the Go module tests/control-plane into
# $KUBE_API_TEST_DIR/k8s/<version>-linux-amd64 (default /var/cache/cephaloproxy/kube).
# The API-server suite (tests/apiserver) and the cluster suite (tests/cluster) run them.
# Cold: one `go build` of the seven commands (see docs/benchmarks.md for the time measured on 2 cores);
# warm (binaries present for the pinned version and go.sum): under a second.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
export PATH="$PATH:/usr/local/go/bin"
if ! command -v go >/dev/null; then
  echo "stage 30: Go (1.26 or newer) is required to build the Kubernetes binaries; none on PATH" >&2
  exit 1
fi
"$root/tests/control-plane/build.sh"
