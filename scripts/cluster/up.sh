#!/usr/bin/env bash
# Brings up a real single-node Kubernetes cluster on this machine: containerd (its own instance,
# CRI plugin), etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy
# (iptables mode), with the bridge CNI network on POD_CIDR. Waits until the node is Ready and prints
# the admin kubeconfig path on stdout. Idempotent: when everything already runs with the command lines
# and containerd configuration of this script it only checks the node and exits 0; a component running
# with others (flags changed here) is restarted with these. Tear it down with scripts/cluster/down.sh.
#
# Needs root, the Kubernetes binaries of scripts/stages/30-control-plane.sh (or KUBE_BIN_DIR) and
# Debian's containerd, runc and containernetworking-plugins.
set -euo pipefail
source "$(dirname "$0")/env.sh"
started_at=$(date +%s.%N)
# stdout carries only the result (fd 3); everything else, including what commands print, goes to stderr.
exec 3>&1 1>&2

[ "$(id -u)" = 0 ] || die "run as root: the node needs cgroups, mounts, network namespaces and iptables"
BIN=$(kube_bin_dir)
for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
  [ -x "$BIN/$b" ] || die "missing $BIN/$b: build the Kubernetes binaries first (scripts/stages/30-control-plane.sh), or set KUBE_BIN_DIR"
done
ensure_packages containerd runc containernetworking-plugins iptables iproute2 openssl curl
for p in bridge host-local loopback portmap firewall; do
  [ -x "$CNI_BIN_DIR/$p" ] || die "missing CNI plugin $CNI_BIN_DIR/$p (package containernetworking-plugins)"
done
KUBECTL=("$BIN/kubectl" --kubeconfig "$ADMIN_KUBECONFIG")
NODE_IP=$(node_ip)
[ -n "$NODE_IP" ] || die "no IPv4 default route: cannot choose the node address (ip -4 route get 1.1.1.1)"

dns_ready() {
  [ "$("${KUBECTL[@]}" -n kube-system get deployment coredns -o 'jsonpath={.status.readyReplicas}' 2>/dev/null)" = 1 ]
}
node_pod_cidr() {
  "${KUBECTL[@]}" get node "$NODE_NAME" -o 'jsonpath={.spec.podCIDR}' 2>/dev/null
}
pod_cidr_assigned() { [ -n "$(node_pod_cidr)" ]; }
node_ready() {
  [ "$("${KUBECTL[@]}" get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

restrict_oom=false
# CAP_SYS_RESOURCE is bit 24 of the effective capability set.
(( (16#$(awk '/^CapEff/ {print $2}' /proc/self/status) >> 24) & 1 )) || restrict_oom=true
containerd_config() {
  cat <<EOF
# containerd of the CephaloProxy test node (scripts/cluster/up.sh); separate from Docker's.
version = 2
root = "$CONTAINERD_ROOT"
state = "$CONTAINERD_STATE"
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[debug]
  address = "$RUN_DIR/containerd-debug.sock"
  level = "info"
[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$NODE_DIR/opt"
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "$PAUSE_IMAGE"
    netns_mounts_under_state_dir = true
    # Root on this VM lacks CAP_SYS_RESOURCE, so runc cannot lower oom_score_adj below 0 (the kubelet
    # asks -998 for Guaranteed/critical pods): clamp to containerd's own score instead.
    restrict_oom_score_adj = $restrict_oom
    enable_unprivileged_ports = true
    enable_unprivileged_icmp = true
    disable_tcp_service = true
    max_container_log_line_size = 16384
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "$CNI_BIN_DIR"
      conf_dir = "$NODE_DIR/cni/net.d"
      max_conf_num = 1
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          BinaryName = "$(command -v runc)"
          Root = "$RUN_DIR/runc"
          SystemdCgroup = false
    [plugins."io.containerd.grpc.v1.cri".registry]
      # per-registry settings, e.g. the local registry's CA (scripts/registry/up.sh writes
      # certs.d/HOST:PORT/hosts.toml; containerd reads them on each pull)
      config_path = "$NODE_CERTS_D"
EOF
}

# ---------------------------------------------------------------------------------------------
# The components' command lines (CMD_<name>). start_component restarts a component that runs with
# another one, so a changed flag here reaches a node that is already up.
CMD_containerd=(containerd --config "$CONF_DIR/containerd.toml")
CMD_etcd=("$BIN/etcd" --name "$NODE_NAME" --data-dir "$NODE_DIR/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "$NODE_NAME=http://127.0.0.1:$ETCD_PEER_PORT" \
  --quota-backend-bytes 2147483648 --log-level warn)
# The aggregation layer (APIServices such as OLM's packageserver): the API server proxies to extension
# API servers as front-proxy-client (its own CA), which they trust through the request-header CA it
# publishes in kube-system/extension-apiserver-authentication; it calls their endpoints directly.
CMD_kube_apiserver=("$BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --bind-address 0.0.0.0 --secure-port "$APISERVER_PORT" --advertise-address "$NODE_IP" \
  --tls-cert-file "$PKI_DIR/apiserver.crt" --tls-private-key-file "$PKI_DIR/apiserver.key" \
  --client-ca-file "$PKI_DIR/ca.crt" \
  --requestheader-client-ca-file "$PKI_DIR/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --proxy-client-cert-file "$PKI_DIR/front-proxy-client.crt" --proxy-client-key-file "$PKI_DIR/front-proxy-client.key" \
  --enable-aggregator-routing=true \
  --kubelet-client-certificate "$PKI_DIR/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI_DIR/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types InternalIP,Hostname \
  --service-cluster-ip-range "$SERVICE_CIDR" \
  --service-account-issuer "https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
  --service-account-key-file "$PKI_DIR/sa.pub" --service-account-signing-key-file "$PKI_DIR/sa.key" \
  --api-audiences "https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
  --authorization-mode Node,RBAC \
  --enable-admission-plugins NodeRestriction,PodSecurity \
  --allow-privileged=true --profiling=false --event-ttl 1h)
# Node IPAM: the node's spec.podCIDR is the first /24 of CLUSTER_CIDR, i.e. POD_CIDR (the operator
# discovers pod networks from nodes' podCIDRs).
CMD_kube_controller_manager=("$BIN/kube-controller-manager" \
  --kubeconfig "$CONF_DIR/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$CONF_DIR/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$CONF_DIR/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$CONTROLLER_MANAGER_PORT" \
  --service-account-private-key-file "$PKI_DIR/sa.key" --root-ca-file "$PKI_DIR/ca.crt" \
  --cluster-signing-cert-file "$PKI_DIR/ca.crt" --cluster-signing-key-file "$PKI_DIR/ca.key" \
  --use-service-account-credentials=true --controllers '*' \
  --service-cluster-ip-range "$SERVICE_CIDR" \
  --allocate-node-cidrs=true --cluster-cidr "$CLUSTER_CIDR" --node-cidr-mask-size "${POD_CIDR#*/}" \
  --leader-elect=false --profiling=false)
CMD_kube_scheduler=("$BIN/kube-scheduler" \
  --kubeconfig "$CONF_DIR/scheduler.kubeconfig" \
  --authentication-kubeconfig "$CONF_DIR/scheduler.kubeconfig" \
  --authorization-kubeconfig "$CONF_DIR/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$SCHEDULER_PORT" --leader-elect=false --profiling=false)
CMD_kubelet=("$BIN/kubelet" --config "$CONF_DIR/kubelet.yaml" \
  --kubeconfig "$CONF_DIR/kubelet.kubeconfig" --root-dir "$KUBELET_DIR" \
  --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --v 1)
CMD_kube_proxy=("$BIN/kube-proxy" --config "$CONF_DIR/kube-proxy.yaml")
# component_up NAME: NAME runs with its command line of CMD_<name>.
component_up() { local -n cmd="CMD_${1//-/_}"; runs_as "$1" "${cmd[@]}"; }
# start NAME: start_component NAME with its CMD_<name>.
start() { local -n cmd="CMD_${1//-/_}"; start_component "$1" "${cmd[@]}"; }

# Already up? Every component alive with its command line and the node Ready: done.
all_running=1
for c in "${COMPONENTS[@]}"; do component_up "$c" || all_running=; done
# (and containerd runs with the configuration this script writes: a changed one restarts it below)
if [ -n "$all_running" ] && [ -f "$ADMIN_KUBECONFIG" ] && [ "$(containerd_config)" = "$(cat "$CONF_DIR/containerd.toml" 2>/dev/null)" ] \
   && node_ready && [ "$(node_pod_cidr)" = "$POD_CIDR" ] && dns_ready; then
  log "already up: node $NODE_NAME is Ready, cluster DNS answers on $CLUSTER_DNS_IP"
  echo "$ADMIN_KUBECONFIG" >&3
  exit 0
fi

mkdir -p "$NODE_DIR" "$RUN_DIR" "$PKI_DIR" "$LOG_DIR" "$CONF_DIR" "$KUBELET_DIR" "$POD_LOG_DIR" \
  "$CONTAINERD_ROOT" "$CONTAINERD_STATE" "$PID_DIR" "$NODE_DIR/cni/net.d" "$NODE_DIR/cni/ipam" "$NODE_DIR/etcd"
chmod 0700 "$PKI_DIR" "$NODE_DIR/etcd"

# ---------------------------------------------------------------------------------------------
# PKI: one CA signs every serving and client certificate but the front proxy's, which has its own CA
# (the request-header CA: whoever holds a certificate of it can assert any user to extension API
# servers); a separate key signs service-account tokens.
ca_sign() { # NAME CN ORG(or "") SANS(or "") USAGE(server|client) [CA-NAME, default ca]
  local name=$1 cn=$2 org=$3 sans=$4 usage=$5 ca=${6:-ca} subj="/CN=$2"
  [ -n "$org" ] && subj="/O=$org/CN=$cn"
  # RSA leaf keys: Fabric8's client (the Java suites) cannot read EC client keys in PKCS#8 form.
  local stamp="$sans|rsa2048${6:+|$6}"
  if [ -f "$PKI_DIR/$name.crt" ] && [ -f "$PKI_DIR/$name.sans" ] && [ "$(cat "$PKI_DIR/$name.sans")" = "$stamp" ]; then return 0; fi
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI_DIR/$name.key" 2>/dev/null
  local ext="$PKI_DIR/$name.ext"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [ "$usage" = server ]; then echo "extendedKeyUsage=serverAuth,clientAuth"; else echo "extendedKeyUsage=clientAuth"; fi
    [ -n "$sans" ] && echo "subjectAltName=$sans"
  } >"$ext"
  openssl req -new -key "$PKI_DIR/$name.key" -subj "$subj" -out "$PKI_DIR/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI_DIR/$name.csr" -CA "$PKI_DIR/$ca.crt" -CAkey "$PKI_DIR/$ca.key" -CAcreateserial \
    -days 365 -sha256 -extfile "$ext" -out "$PKI_DIR/$name.crt" 2>/dev/null
  echo "$stamp" >"$PKI_DIR/$name.sans"
  rm -f "$PKI_DIR/$name.csr"
}
make_ca() { # NAME CN: a CA valid 10 years; a new one makes ca_sign re-sign what it signs (their stamps go)
  [ -f "$PKI_DIR/$1.crt" ] && return 0
  log "creating the CA $1 in $PKI_DIR"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI_DIR/$1.key" 2>/dev/null
  openssl req -x509 -new -key "$PKI_DIR/$1.key" -subj "/CN=$2" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$PKI_DIR/$1.crt" 2>/dev/null
  if [ "$1" = ca ]; then rm -f "$PKI_DIR"/*.sans; else rm -f "$PKI_DIR"/front-proxy-client.sans; fi
}
make_ca ca cephaloproxy-node-ca
make_ca front-proxy-ca cephaloproxy-node-front-proxy-ca
if [ ! -f "$PKI_DIR/sa.key" ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI_DIR/sa.key" 2>/dev/null
  openssl pkey -in "$PKI_DIR/sa.key" -pubout -out "$PKI_DIR/sa.pub" 2>/dev/null
fi
ca_sign apiserver kube-apiserver "" \
  "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN,DNS:localhost,IP:127.0.0.1,IP:$API_SERVICE_IP,IP:$NODE_IP" server
ca_sign apiserver-kubelet-client kube-apiserver-kubelet-client system:masters "" client
ca_sign admin cephaloproxy-admin system:masters "" client
ca_sign controller-manager system:kube-controller-manager "" "" client
ca_sign scheduler system:kube-scheduler "" "" client
ca_sign kubelet-client "system:node:$NODE_NAME" system:nodes "" client
ca_sign kubelet-serving "$NODE_NAME" system:nodes "DNS:$NODE_NAME,DNS:localhost,IP:127.0.0.1,IP:$NODE_IP" server
ca_sign kube-proxy system:kube-proxy "" "" client
ca_sign front-proxy-client front-proxy-client "" "" client front-proxy-ca

kubeconfig() { # FILE CERT-NAME SERVER
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: $NODE_NAME
  cluster:
    certificate-authority: $PKI_DIR/ca.crt
    server: $3
users:
- name: $2
  user:
    client-certificate: $PKI_DIR/$2.crt
    client-key: $PKI_DIR/$2.key
contexts:
- name: $NODE_NAME
  context: {cluster: $NODE_NAME, user: $2}
current-context: $NODE_NAME
EOF
  chmod 0600 "$1"
}
LOCAL_API="https://127.0.0.1:$APISERVER_PORT"
kubeconfig "$ADMIN_KUBECONFIG" admin "$LOCAL_API"
kubeconfig "$CONF_DIR/controller-manager.kubeconfig" controller-manager "$LOCAL_API"
kubeconfig "$CONF_DIR/scheduler.kubeconfig" scheduler "$LOCAL_API"
kubeconfig "$CONF_DIR/kubelet.kubeconfig" kubelet-client "$LOCAL_API"
kubeconfig "$CONF_DIR/kube-proxy.kubeconfig" kube-proxy "$LOCAL_API"

# ---------------------------------------------------------------------------------------------
# Host networking the node relies on.
sysctl -qw net.ipv4.ip_forward=1
sysctl -qw net.bridge.bridge-nf-call-iptables=1 || die "br_netfilter is not available (net.bridge.bridge-nf-call-iptables)"
sysctl -qw net.bridge.bridge-nf-call-ip6tables=1 || true
# Forwarding to and from the pod network is allowed (Docker sets the FORWARD policy to DROP), in a
# chain of ours that down.sh removes with the other CNI-* chains.
iptables -N "$FORWARD_CHAIN" 2>/dev/null || iptables -F "$FORWARD_CHAIN"
iptables -A "$FORWARD_CHAIN" -s "$POD_CIDR" -j ACCEPT
iptables -A "$FORWARD_CHAIN" -d "$POD_CIDR" -j ACCEPT
iptables -C FORWARD -j "$FORWARD_CHAIN" 2>/dev/null || iptables -I FORWARD 1 -j "$FORWARD_CHAIN"

# ---------------------------------------------------------------------------------------------
# containerd with its own socket, root and state; runc with cgroupfs; the CNI network.
write_config "$NODE_DIR/cni/net.d/10-$CNI_NETWORK.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "$CNI_NETWORK",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$CNI_BRIDGE",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$POD_CIDR", "rangeEnd": "$POD_RANGE_END"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": "$NODE_DIR/cni/ipam"
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
if running containerd && [ "$(containerd_config)" != "$(cat "$CONF_DIR/containerd.toml" 2>/dev/null)" ]; then
  # Pods keep running: their shims outlive containerd, and the kubelet reconnects.
  log "restarting containerd: its configuration changed"
  kill -TERM "$(cat "$(pid_file containerd)")"
  wait_until 30 "containerd to stop" bash -c "! kill -0 $(cat "$(pid_file containerd)")" || die "containerd did not stop"
  rm -f "$(pid_file containerd)"
fi
mkdir -p "$NODE_CERTS_D"
containerd_config | write_config "$CONF_DIR/containerd.toml"
start containerd
wait_until 30 "containerd on $CONTAINERD_SOCK" ctr --address "$CONTAINERD_SOCK" version \
  || { tail -20 "$LOG_DIR/containerd.log" >&2; die "containerd did not start (log: $LOG_DIR/containerd.log)"; }
pause_tar=$("$CLUSTER_SCRIPTS/pause-image.sh")
if [ "$(ctr_node images ls -q "name==$PAUSE_IMAGE" 2>/dev/null)" != "$PAUSE_IMAGE" ] \
   || [ "$(cat "$NODE_DIR/images/pause.imported" 2>/dev/null)" != "$(sha256sum <"$pause_tar")" ]; then
  log "importing the pause image $PAUSE_IMAGE"
  ctr_node images import "$pause_tar" >/dev/null
  sha256sum <"$pause_tar" >"$NODE_DIR/images/pause.imported"
fi

# ---------------------------------------------------------------------------------------------
# Control plane.
start etcd
wait_until 30 "etcd" curl -sf "http://127.0.0.1:$ETCD_CLIENT_PORT/health" \
  || { tail -20 "$LOG_DIR/etcd.log" >&2; die "etcd did not become healthy (log: $LOG_DIR/etcd.log)"; }

start kube-apiserver
wait_until 90 "kube-apiserver readyz" "${KUBECTL[@]}" get --raw /readyz \
  || { tail -30 "$LOG_DIR/kube-apiserver.log" >&2; die "kube-apiserver did not become ready (log: $LOG_DIR/kube-apiserver.log)"; }

start kube-controller-manager
start kube-scheduler

# ---------------------------------------------------------------------------------------------
# Node: kubelet and kube-proxy.
cgroup_v1=false
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || cgroup_v1=true
write_config "$CONF_DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI_DIR/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $PKI_DIR/kubelet-serving.crt
tlsPrivateKeyFile: $PKI_DIR/kubelet-serving.key
address: 0.0.0.0
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
# This host mounts cgroup v1 hierarchies ($cgroup_v1); the kubelet refuses v1 unless told.
failCgroupV1: false
failSwapOn: false
clusterDomain: $CLUSTER_DOMAIN
clusterDNS: [$CLUSTER_DNS_IP]
resolvConf: /etc/resolv.conf
podLogsDir: $POD_LOG_DIR
# A test node on a shared disk: evict only when it is really full, never garbage-collect images
# (the test images of tests/cluster and the pause image are imported, not pullable).
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", nodefs.inodesFree: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
rotateCertificates: false
serverTLSBootstrap: false
registerNode: true
maxPods: 110
EOF
start kubelet

write_config "$CONF_DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: {kubeconfig: $CONF_DIR/kube-proxy.kubeconfig}
hostnameOverride: $NODE_NAME
clusterCIDR: $POD_CIDR
bindAddress: 0.0.0.0
healthzBindAddress: 127.0.0.1:$PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$PROXY_METRICS_PORT
# Leave the host's conntrack table size alone.
conntrack: {maxPerCore: 0}
EOF
start kube-proxy

if ! wait_until 120 "node $NODE_NAME Ready" node_ready; then
  for c in kubelet containerd kube-proxy; do log "--- last lines of $c"; tail -15 "$LOG_DIR/$c.log" >&2; done
  die "node $NODE_NAME did not become Ready (logs: $LOG_DIR)"
fi

# The controller manager's node IPAM gives the node its podCIDR (a node registered before IPAM was on
# gets it when the controller manager starts). spec.podCIDR cannot change: another one needs a new node.
wait_until 60 "the node's spec.podCIDR" pod_cidr_assigned \
  || { tail -15 "$LOG_DIR/kube-controller-manager.log" >&2; die "node $NODE_NAME got no spec.podCIDR (log: $LOG_DIR/kube-controller-manager.log)"; }
[ "$(node_pod_cidr)" = "$POD_CIDR" ] \
  || die "node $NODE_NAME has spec.podCIDR $(node_pod_cidr), not $POD_CIDR (the CNI network's): recreate the node (scripts/cluster/down.sh, then up.sh)"

# Cluster DNS (CoreDNS built from tests/cluster/coredns) on $CLUSTER_DNS_IP.
"$CLUSTER_SCRIPTS/images.sh"
sed -e "s|@COREDNS_IMAGE@|$COREDNS_IMAGE|" -e "s|@CLUSTER_DNS_IP@|$CLUSTER_DNS_IP|" -e "s|@CLUSTER_DOMAIN@|$CLUSTER_DOMAIN|" \
  "$CLUSTER_SCRIPTS/manifests/coredns.yaml" | "${KUBECTL[@]}" apply -f - >/dev/null
if ! wait_until 120 "cluster DNS (deployment kube-system/coredns)" dns_ready; then
  "${KUBECTL[@]}" -n kube-system get pods -o wide >&2 || true
  "${KUBECTL[@]}" -n kube-system get events --sort-by=.lastTimestamp 2>/dev/null | tail -15 >&2 || true
  die "cluster DNS did not become ready"
fi
for c in "${COMPONENTS[@]}"; do running "$c" || die "$c exited (log: $LOG_DIR/$c.log)"; done
log "node $NODE_NAME is Ready ($(awk -v s="$started_at" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}') s); kubeconfig: $ADMIN_KUBECONFIG"
echo "$ADMIN_KUBECONFIG" >&3
