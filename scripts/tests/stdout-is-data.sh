#!/usr/bin/env bash
# Regression test for the fresh-machine bug: the scripts whose stdout is data (a path) must print
# nothing else there, even when they install Debian packages. `apt-get` and `dpkg-query` are replaced
# by shims that pretend every package is missing and print apt-like progress on stdout; each script is
# then captured with $(...) as its callers do, and the capture must be exactly the path.
# Needs the local cluster up (stage 80 runs this right after scripts/cluster/up.sh), the Kubernetes
# binaries (stage 30) and the Helm CLI (stage 35).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source "$root/scripts/cluster/env.sh"
shims=$(mktemp -d); trap 'rm -rf "$shims"' EXIT
cat >"$shims/dpkg-query" <<'SH'
#!/bin/sh
exit 1
SH
cat >"$shims/apt-get" <<'SH'
#!/bin/sh
echo "Reading package lists... Done"
echo "Setting up $* (shim) ..."
SH
chmod +x "$shims/dpkg-query" "$shims/apt-get"
failures=0
check() { # NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "ok: $1 prints only its result on stdout"
  else echo "FAIL: $1: stdout was '$3', expected '$2'" >&2; failures=$((failures + 1)); fi
}
run() { PATH="$shims:$PATH" timeout 120 "$@" 2>/dev/null; }

check "ensure_packages" "" "$(PATH="$shims:$PATH" bash -c "source '$root/scripts/lib.sh'; ensure_packages some-package" 2>/dev/null)"
check "scripts/cluster/up.sh" "$ADMIN_KUBECONFIG" "$(run "$root/scripts/cluster/up.sh")"
helm=$(CEPHALOPROXY_CACHE="${CEPHALOPROXY_CACHE:-/var/cache/cephaloproxy}" "$root/scripts/get-helm.sh" 2>/dev/null)
check "scripts/get-helm.sh" "$helm" "$(run "$root/scripts/get-helm.sh")"
[ -x "$helm" ] || { echo "FAIL: scripts/get-helm.sh printed '$helm', not an executable" >&2; failures=$((failures + 1)); }
check "tests/control-plane/build.sh" "$(kube_bin_dir)" "$(run "$root/tests/control-plane/build.sh")"
registry="$(node_ip):${CEPHALOPROXY_REGISTRY_PORT:-25000}"
check "scripts/registry/up.sh" "$registry" "$(run "$root/scripts/registry/up.sh")"
check "scripts/build-go-tool.sh" "$(readlink -f "${CEPHALOPROXY_CACHE:-/var/cache/cephaloproxy}/tools/registry")" \
  "$(run "$root/scripts/build-go-tool.sh" registry "$root/scripts/registry")"
check "scripts/olm/build.sh" "$(readlink -f "${CEPHALOPROXY_CACHE:-/var/cache/cephaloproxy}/olm/current")" \
  "$(run "$root/scripts/olm/build.sh")"
[ "$failures" = 0 ] || { echo "stdout-is-data: $failures failure(s)" >&2; exit 1; }
echo "stdout-is-data: 7 passed, 0 failed"
