# Settings of the local OCI registry (scripts/registry/up.sh), sourced by the registry and release
# scripts. The registry is the CNCF Distribution registry built from this directory's Go module; it
# serves HTTPS on the node's address (scripts/cluster/env.sh node_ip) with a certificate of a CA made
# once for this machine.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/cluster/env.sh"
LOG_TAG=registry   # log/die (scripts/lib.sh) print [registry ...]
REGISTRY_SCRIPTS="$REPO_ROOT/scripts/registry"
REGISTRY_DIR="${CEPHALOPROXY_REGISTRY_DIR:-/var/lib/cephaloproxy-registry}"
REGISTRY_RUN_DIR="${CEPHALOPROXY_REGISTRY_RUN_DIR:-/run/cephaloproxy-registry}"
REGISTRY_PORT="${CEPHALOPROXY_REGISTRY_PORT:-25000}"
REGISTRY_PKI="$REGISTRY_DIR/pki"
# The CA every client of the registry trusts (Docker, the node's containerd, helm --ca-file).
REGISTRY_CA="$REGISTRY_PKI/ca.crt"
REGISTRY_LOG="$REGISTRY_DIR/registry.log"
REGISTRY_PID="$REGISTRY_RUN_DIR/registry.pid"

# registry_address: HOST:PORT of the registry, on the node's address.
registry_address() {
  local ip; ip=$(node_ip)
  [ -n "$ip" ] || die "no IPv4 default route: cannot choose the registry's address (ip -4 route get 1.1.1.1)"
  echo "$ip:$REGISTRY_PORT"
}

# registry_healthy ADDRESS: the registry answers /v2/ over TLS verified with the registry's CA.
registry_healthy() {
  curl -sf --max-time 5 --cacert "$REGISTRY_CA" "https://$1/v2/" >/dev/null
}

