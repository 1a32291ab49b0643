#!/usr/bin/env bash
# A client on the pod network without a pod: a network namespace with a veth on the node's bridge,
# an address from the range pods never get (.200-.254 of POD_CIDR), the pod network's gateway as its
# default route, and the cluster DNS in its resolv.conf (`ip netns exec` mounts /etc/netns/NAME).
# Anything run with `ip netns exec cephalo-NAME CMD` reaches Services and pods as a pod would.
#   netns.sh add NAME OCTET   (e.g. add e2e 200 → namespace cephalo-e2e at 10.244.0.200)
#   netns.sh del NAME
set -euo pipefail
source "$(dirname "$0")/env.sh"
[ "$(id -u)" = 0 ] || die "run as root"
cmd=${1:-}; name=${2:-}
[ -n "$name" ] || die "usage: $0 add NAME OCTET | del NAME"
ns="$NETNS_PREFIX$name"
case "$cmd" in
  add)
    octet=${3:-}
    [[ "$octet" =~ ^[0-9]+$ ]] && [ "$octet" -ge 200 ] && [ "$octet" -le 254 ] || die "OCTET must be 200..254 (pods use .2-.199)"
    ip link show "$CNI_BRIDGE" >/dev/null 2>&1 || die "bridge $CNI_BRIDGE is missing: is the node up (scripts/cluster/up.sh) with a pod running?"
    prefix=${POD_CIDR%.*}; len=${POD_CIDR#*/}; host_if="cephv$octet"
    ip netns delete "$ns" 2>/dev/null || true
    ip link delete "$host_if" 2>/dev/null || true
    ip netns add "$ns"
    ip link add "$host_if" type veth peer name eth0 netns "$ns"
    ip link set "$host_if" master "$CNI_BRIDGE" up
    ip -n "$ns" addr add "$prefix.$octet/$len" dev eth0
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "$prefix.1"
    mkdir -p "/etc/netns/$ns"
    printf 'nameserver %s\nsearch svc.%s %s\noptions ndots:5\n' "$CLUSTER_DNS_IP" "$CLUSTER_DOMAIN" "$CLUSTER_DOMAIN" >"/etc/netns/$ns/resolv.conf"
    echo "$ns"
    ;;
  del)
    ip netns delete "$ns" 2>/dev/null || true
    rm -rf "/etc/netns/$ns"
    ;;
  *) die "usage: $0 add NAME OCTET | del NAME" ;;
esac
