#!/usr/bin/env bash
# Tools the install-path suite (tests/install) needs:
#   - openssl (SSL-bump guide commands): a Debian package;
#   - argocd-health: Argo CD's own Lua health evaluation (util/lua of argo-cd v3.1.9, gopher-lua),
#     built from tests/install/argocd-health; the Argo CD health check is tested with it;
#   - bundle-validate: operator-framework/api's bundle validators (what `operator-sdk bundle
#     validate --select-optional suite=operatorframework` runs), built from
#     tests/install/bundle-validate with the Go module proxy; operator-sdk itself is not
#     served by the module proxy reachable here;
#   - promtool: Prometheus's rule checker and unit tester (github.com/prometheus/prometheus v0.316.0,
#     built from its Go module by scripts/supply-chain-tool.sh); the chart's alerts are tested with it
#     (tests/install MonitoringTest);
#   - a Helm 3 CLI for the cluster suite and the docs checks (scripts/get-helm.sh);
#   - Argo CD v3.1.9's application-controller and repo-server for the cluster suite's ArgoCdE2E
#     (tests/cluster/argocd, one binary, by scripts/build-go-tool.sh into $CEPHALOPROXY_CACHE/tools);
#     tests/cluster/argocd/images.sh makes the node's images of it;
#   - the Docker engine (BundleImageTest builds bundle/bundle.Dockerfile, FROM scratch).
# Idempotent: the Go binaries are cached under $CEPHALOPROXY_CACHE (default /var/cache/cephaloproxy),
# keyed by the hash of their Go sources (go.mod, go.sum, *.go). Cold: ~3-6 min for bundle-validate and
# about 35 min for argocd-health on 2 cores (measured with a load of ~30 from other builds: 8.5 min
# of CPU, 2 min of module downloads; estimated 6-8 min on a quiet machine); warm: under a second.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source "$root/scripts/lib.sh"
ensure_packages openssl unzip
ensure_dockerd
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "stage 35: Go is required to build bundle-validate and argocd-health; none on PATH" >&2; exit 1; }
cache="${CEPHALOPROXY_CACHE:-/var/cache/cephaloproxy}/tools"
# go_tool NAME: builds tests/install/NAME into $cache/NAME-<hash of its inputs> unless there, links $cache/NAME
go_tool() {
  local name="$1" src="$root/tests/install/$1" key bin start
  key="$(cat "$src/go.mod" "$src/go.sum" "$src"/*.go | sha256sum | cut -c1-16)"
  bin="$cache/$name-$key"
  if [ ! -x "$bin" ]; then
    echo "building $name ($key)"
    mkdir -p "$cache"
    start=$SECONDS
    (cd "$src" && GOFLAGS="-mod=mod -buildvcs=false" nice -n 10 go build -trimpath -o "$bin.tmp" .)
    mv "$bin.tmp" "$bin"
    echo "built $name in $((SECONDS - start)) s"
  fi
  ln -sfn "$bin" "$cache/$name"
}
go_tool bundle-validate
go_tool argocd-health
# (not `-h | head -1`: with pipefail, head closing the pipe early made this fail with SIGPIPE, 141)
"$cache/bundle-validate" -h >/dev/null 2>&1 || { echo "stage 35: $cache/bundle-validate -h failed" >&2; exit 1; }
echo "bundle-validate: $cache/bundle-validate"
# Argo CD's engine on the shipped check, as argo-cd's own resource_customizations tests run it
"$cache/argocd-health" -test "$root/argocd/resource_customizations/cephaloproxy.io/SquidProxy" >&2 \
  || { echo "stage 35: argocd-health -test failed on argocd/resource_customizations/cephaloproxy.io/SquidProxy" >&2; exit 1; }
echo "argocd-health: $cache/argocd-health"
promtool="$("$root/scripts/supply-chain-tool.sh" promtool)" || { echo "stage 35: building promtool failed (messages above)" >&2; exit 1; }
"$promtool" --version >&2 || { echo "stage 35: $promtool --version failed" >&2; exit 1; }
echo "promtool: $promtool"
"$root/scripts/get-helm.sh" >/dev/null
# (cold: ~41 min wall at nice 19 beside a cold test-all, 11 min of CPU; warm: under a second)
argocd=$("$root/scripts/build-go-tool.sh" argocd "$root/tests/cluster/argocd" ./cmd/argocd)
"$argocd" repo-server --help >/dev/null 2>&1 || { echo "stage 35: $argocd repo-server --help failed" >&2; exit 1; }
echo "argocd: $argocd"
