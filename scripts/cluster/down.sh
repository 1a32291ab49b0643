#!/usr/bin/env bash
# Tears the local node of scripts/cluster/up.sh down completely: every container and pod sandbox,
# the processes up.sh started (by their PID files), the mounts under the node's directories, the
# pods' network namespaces, the CNI bridge, the iptables chains KUBE-* and CNI-*, and the cluster
# state (etcd, kubelet dir, pod logs, IP allocations). Keeps the PKI and the images imported into
# containerd so the next up.sh is warm; `down.sh --purge` removes the whole node directory too.
set -euo pipefail
source "$(dirname "$0")/env.sh"
purge=
case "${1:-}" in
  --purge) purge=1 ;;
  "") ;;
  *) die "usage: $0 [--purge]" ;;
esac
[ "$(id -u)" = 0 ] || die "run as root"

# 1. The node agents first, so nothing restarts what is removed next.
stop_component kube-proxy
stop_component kubelet

# 2. Every task and container of the node's containerd (pods' sandboxes and containers).
if running containerd; then
  for id in $(ctr_node tasks ls -q 2>/dev/null); do ctr_node tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
  for _ in $(seq 1 50); do
    [ -z "$(ctr_node tasks ls 2>/dev/null | awk 'NR>1 && $3!="STOPPED"')" ] && break; sleep 0.2
  done
  for id in $(ctr_node tasks ls -q 2>/dev/null); do ctr_node tasks rm -f "$id" >/dev/null 2>&1 || true; done
  for id in $(ctr_node containers ls -q 2>/dev/null); do ctr_node containers rm "$id" >/dev/null 2>&1 || true; done
fi

# 3. The control plane and containerd.
for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do stop_component "${COMPONENTS[$i]}"; done
# Shims of this containerd outlive it when a task could not be removed: they carry its socket path.
for pid in $(pgrep -f -- "-address $CONTAINERD_SOCK( |$)" || true); do
  log "killing leftover shim $pid"; kill -KILL "$pid" 2>/dev/null || true
done

# 4. Mounts under the node's directories (deepest first): volumes, rootfs overlays, netns files.
unmount_under() {
  local prefix=$1
  awk -v p="$prefix" '$5 == p || index($5, p "/") == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
  done
}
for d in "$KUBELET_DIR" "$CONTAINERD_STATE" "$RUN_DIR" "$CONTAINERD_ROOT" "$NODE_DIR"; do unmount_under "$d"; done

# 5. Network: pods' namespaces went with their mounts; test clients' namespaces (NETNS_PREFIX);
# the bridge and any veth left on it.
stop_component demo-origin
ip link delete "$DEMO_ORIGIN_VETH" 2>/dev/null || true
for ns in $(ip netns list 2>/dev/null | awk -v p="$NETNS_PREFIX" 'index($1, p) == 1 {print $1}'); do
  ip netns delete "$ns" && rm -rf "/etc/netns/$ns" && log "deleted network namespace $ns"
done
if ip link show "$CNI_BRIDGE" >/dev/null 2>&1; then
  for veth in $(ip -o link show master "$CNI_BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link delete "$veth" 2>/dev/null || true
  done
  ip link delete "$CNI_BRIDGE"
  log "deleted bridge $CNI_BRIDGE"
fi

# 6. iptables: jumps from the built-in chains into KUBE-*/CNI-* chains, then those chains.
clean_chains() { # iptables|ip6tables
  local ipt=$1 table chain rule
  command -v "$ipt" >/dev/null || return 0
  for table in filter nat mangle raw; do
    "$ipt" -t "$table" -S >/dev/null 2>&1 || continue
    { "$ipt" -t "$table" -S | grep -E '^-A [A-Z]+ .*-j (KUBE-|CNI-)' | grep -vE '^-A (KUBE-|CNI-)' || true; } | while read -r rule; do
      eval "$ipt -t $table ${rule/-A /-D }" 2>/dev/null || true
    done
    for chain in $("$ipt" -t "$table" -S | awk '$1 == "-N" && ($2 ~ /^KUBE-/ || $2 ~ /^CNI-/) {print $2}'); do
      "$ipt" -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $("$ipt" -t "$table" -S | awk '$1 == "-N" && ($2 ~ /^KUBE-/ || $2 ~ /^CNI-/) {print $2}'); do
      "$ipt" -t "$table" -X "$chain" 2>/dev/null || log "could not delete $ipt -t $table chain $chain"
    done
  done
}
clean_chains iptables
clean_chains ip6tables

# 7. State: a fresh cluster next time, with the images and PKI kept unless --purge.
rm -rf "$RUN_DIR" "$NODE_DIR/etcd" "$KUBELET_DIR" "$POD_LOG_DIR" "$NODE_DIR/cni/ipam" "$NODE_DIR/volumes" \
  "$CONTAINERD_ROOT/io.containerd.grpc.v1.cri/sandboxes" "$CONTAINERD_ROOT/io.containerd.grpc.v1.cri/containers"
if [ -n "$purge" ]; then rm -rf "$NODE_DIR"; log "removed $NODE_DIR"; fi
log "node $NODE_NAME is down"
