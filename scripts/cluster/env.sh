# Shared settings and helpers of the local single-node cluster (sourced by up.sh, down.sh, ...).
# Everything lives under NODE_DIR (state) and RUN_DIR (sockets, PID files); nothing here touches
# the Docker engine's containerd or any system-wide Kubernetes directory.

CLUSTER_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="${REPO_ROOT:-$(cd "$CLUSTER_SCRIPTS/../.." && pwd)}"
source "$REPO_ROOT/scripts/lib.sh"
LOG_TAG=cluster   # log/die (scripts/lib.sh) print [cluster ...]

NODE_DIR="${CEPHALOPROXY_NODE_DIR:-/var/lib/cephaloproxy-node}"
RUN_DIR="${CEPHALOPROXY_NODE_RUN_DIR:-/run/cephaloproxy-node}"
NODE_NAME=cephaloproxy-node
POD_CIDR=10.244.0.0/24
# The controller manager gives each node a /24 of CLUSTER_CIDR as spec.podCIDR; the first, this
# node's, is POD_CIDR (up.sh checks it).
CLUSTER_CIDR=10.244.0.0/16
# Pods get .2-.199; .200-.254 are for test clients in network namespaces on the pod network.
POD_RANGE_END=10.244.0.199
SERVICE_CIDR=10.96.0.0/16
API_SERVICE_IP=10.96.0.1
CLUSTER_DNS_IP=10.96.0.10
CLUSTER_DOMAIN=cluster.local
CNI_BRIDGE=cephalo0
CNI_NETWORK=cephaloproxy
FORWARD_CHAIN=CNI-CEPHALOPROXY-FORWARD
# Network namespaces that tests create on the pod network are named with this prefix.
NETNS_PREFIX=cephalo-
# The demo's web site (demo.sh): TEST-NET-2, outside every network the cluster uses, on a /30 of
# its own (the end-to-end origin of tests/cluster uses 198.51.100.64/30).
DEMO_ORIGIN_ADDRESS=198.51.100.70
DEMO_ORIGIN_NODE_ADDRESS=198.51.100.69
DEMO_ORIGIN_VETH=cephalo-demo0
CNI_BIN_DIR="${CNI_BIN_DIR:-/usr/lib/cni}"
# Ports chosen away from the defaults, so a control plane that another suite starts on this
# machine (kube-api-test, a second controller manager) does not collide with this node.
APISERVER_PORT=16443
ETCD_CLIENT_PORT=22379
ETCD_PEER_PORT=22380
CONTROLLER_MANAGER_PORT=20257
SCHEDULER_PORT=20259
KUBELET_PORT=10250
KUBELET_HEALTHZ_PORT=20248
PROXY_HEALTHZ_PORT=20256
PROXY_METRICS_PORT=20249

PKI_DIR="$NODE_DIR/pki"
LOG_DIR="$NODE_DIR/logs"
CONF_DIR="$NODE_DIR/conf"
KUBELET_DIR="$NODE_DIR/kubelet"
POD_LOG_DIR="$NODE_DIR/pod-logs"
CONTAINERD_ROOT="$NODE_DIR/containerd"
CONTAINERD_STATE="$RUN_DIR/containerd"
CONTAINERD_SOCK="$RUN_DIR/containerd.sock"
PID_DIR="$RUN_DIR/pids"
ADMIN_KUBECONFIG="$NODE_DIR/admin.kubeconfig"
PAUSE_IMAGE=localhost/cephaloproxy/pause:1.0
# Per-registry settings of the node's containerd (its CRI plugin's config_path): certs.d/HOST:PORT/hosts.toml,
# written by scripts/registry/up.sh for the local registry.
NODE_CERTS_D="$NODE_DIR/certs.d"

# The order in which up.sh starts the components (down.sh stops them in reverse).
COMPONENTS=(containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)


# node_ip: the host's address on its default route; pods reach the API server there.
node_ip() {
  ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -1
}

# kube_bin_dir: where the control-plane build (scripts/stages/30-control-plane.sh) put the
# Kubernetes binaries: $KUBE_BIN_DIR if set, else $KUBE_API_TEST_DIR/k8s/<version>-linux-amd64.
kube_bin_dir() {
  if [ -n "${KUBE_BIN_DIR:-}" ]; then echo "$KUBE_BIN_DIR"; return; fi
  local base="${KUBE_API_TEST_DIR:-/var/cache/cephaloproxy/kube}"
  local version="${KUBE_VERSION:-}"
  if [ -z "$version" ] && [ -f "$REPO_ROOT/tests/control-plane/go.mod" ]; then
    version=$(sed -n 's/^[[:space:]]*k8s.io\/kubernetes v\([0-9.]*\)$/\1/p' "$REPO_ROOT/tests/control-plane/go.mod" | head -1)
  fi
  echo "$base/k8s/${version}-linux-amd64"
}

# write_config FILE: stdin into FILE, only when the content differs (kube-proxy exits when its
# configuration file is rewritten, even with the same content).
write_config() {
  local tmp; tmp=$(mktemp "$1.XXXXXX")
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv -f "$tmp" "$1"; fi
}

ctr_node() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

pid_file() { echo "$PID_DIR/$1.pid"; }

# running NAME: true when the PID file of NAME names a live process.
running() {
  local f; f=$(pid_file "$1")
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

# runs_as NAME CMD...: true when NAME runs with exactly this command line (its /proc cmdline).
runs_as() {
  local name=$1; shift
  running "$name" && cmp -s "/proc/$(cat "$(pid_file "$name")")/cmdline" <(printf '%s\0' "$@")
}

# stop_component NAME: SIGTERM, then SIGKILL after 15 s; removes the PID file.
stop_component() {
  local f pid; f=$(pid_file "$1")
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $1 (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 75); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then log "$1 ignored SIGTERM; killing it"; kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$f"
}

# start_component NAME CMD...: starts CMD detached (own session) with its log and PID file. When NAME
# already runs with another command line (up.sh changed its flags), it is restarted with this one.
start_component() {
  local name=$1; shift
  if runs_as "$name" "$@"; then return 0; fi
  if running "$name"; then
    log "restarting $name: its command line changed"
    stop_component "$name"
  fi
  mkdir -p "$PID_DIR" "$LOG_DIR"
  log "starting $name"
  # (3>&-: a daemon must not keep open the stdout of a caller that captures up.sh with $(...);
  # 9>&-: nor the lock of a `with-node`/`with-quiet` caller, which it would otherwise hold forever)
  setsid nohup "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null 3>&- 9>&- &
  echo $! >"$(pid_file "$name")"
}

# wait_until SECONDS DESCRIPTION CMD...: polls CMD every 0.2 s until it succeeds.
wait_until() {
  local timeout=$1 what=$2; shift 2
  local deadline=$(( $(date +%s) + timeout ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "timed out after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 0.2
  done
}
COREDNS_IMAGE=localhost/cephaloproxy/coredns:1.15.0
ORIGIN_IMAGE=localhost/cephaloproxy/e2e-origin:0.1.0
# what the kubectl debug recipe of docs/troubleshooting.md runs as busybox:1.36 (no registry here)
DEBUG_IMAGE=localhost/cephaloproxy/debug-busybox:0.1.0
