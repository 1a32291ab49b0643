#!/usr/bin/env bash
# Tools the install-path suite (tests/install) needs:
#   - lua5.4 and lua5.1 (Argo CD health check; Argo CD embeds a Lua 5.1), openssl (SSL-bump guide
#     commands): Debian packages;
#   - bundle-validate: operator-framework/api's bundle validators (what `operator-sdk bundle
#     validate --select-optional suite=operatorframework` runs), built from
#     tests/install/bundle-validate with the Go module proxy; operator-sdk itself is not
#     served by the module proxy reachable here;
#   - a Helm 3 CLI for the cluster suite and the docs checks (scripts/get-helm.sh);
#   - the Docker engine (BundleImageTest builds bundle/bundle.Dockerfile, FROM scratch).
# Idempotent: the binary is cached under $CEPHALOPROXY_CACHE (default /var/cache/cephaloproxy),
# keyed by the hash of its Go sources. Cold: ~3-6 min for the Go build on 2 cores (depends on
# the module cache); warm: under a second.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source "$root/scripts/lib.sh"
ensure_packages lua5.4 lua5.1 openssl unzip
ensure_dockerd
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "stage 35: Go is required to build bundle-validate; none on PATH" >&2; exit 1; }
cache="${CEPHALOPROXY_CACHE:-/var/cache/cephaloproxy}/tools"
src="$root/tests/install/bundle-validate"
key="$(cat "$src/go.mod" "$src/go.sum" "$src"/*.go | sha256sum | cut -c1-16)"
bin="$cache/bundle-validate-$key"
if [ ! -x "$bin" ]; then
  echo "building bundle-validate ($key)"
  mkdir -p "$cache"
  (cd "$src" && GOFLAGS="-mod=mod -buildvcs=false" nice -n 10 go build -trimpath -o "$bin.tmp" .)
  mv "$bin.tmp" "$bin"
fi
ln -sfn "$bin" "$cache/bundle-validate"
# (not `-h | head -1`: with pipefail, head closing the pipe early made this fail with SIGPIPE, 141)
"$cache/bundle-validate" -h >/dev/null 2>&1 || { echo "stage 35: $cache/bundle-validate -h failed" >&2; exit 1; }
echo "bundle-validate: $cache/bundle-validate"
"$root/scripts/get-helm.sh" >/dev/null
