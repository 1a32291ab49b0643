#!/usr/bin/env bash
# The README's run command: a real single-node cluster on this machine, the operator installed as a
# user installs it (`helm install oci://<registry>/charts/cephaloproxy-operator --version <v>` from
# the local registry; the kubelet pulls the images by digest), the example SquidProxy
# examples/basic.yaml applied, and a web site to try it on (outside the cluster's networks, which
# proxies deny by default). Ends by printing the
# `curl -x` line that goes through the proxy.
# Needs root, the Kubernetes binaries (scripts/stages/30-control-plane.sh) and a release in the local
# registry (scripts/release.sh; its record dist/current/release.env; scripts/run.sh makes both).
# Idempotent: run it again to get the line again. `demo.sh --remove` removes what it added (the
# release, its namespaces, the web site) and leaves the cluster running.
set -euo pipefail
source "$(dirname "$0")/env.sh"
[ "$(id -u)" = 0 ] || die "run as root (the node needs cgroups, mounts and iptables)"

operator_ns=cephaloproxy-system
demo_ns=cephaloproxy-demo
origin_ns="${NETNS_PREFIX}demo-origin"
case "${1:-}" in
  "") ;;
  --remove)
    # Removes what this script added and leaves the cluster running: the Helm release, both
    # namespaces (with the SquidProxy) and the web site's process and network namespace. The CRD
    # stays, as `helm uninstall` leaves it (docs/upgrading.md).
    kubeconfig=$("$CLUSTER_SCRIPTS/up.sh")
    BIN=$(kube_bin_dir)
    HELM=$("$REPO_ROOT/scripts/get-helm.sh")
    if "$HELM" status cephaloproxy-operator --kubeconfig "$kubeconfig" --namespace "$operator_ns" >/dev/null 2>&1; then
      "$HELM" uninstall cephaloproxy-operator --kubeconfig "$kubeconfig" --namespace "$operator_ns" --wait >/dev/null
    fi
    k=("$BIN/kubectl" --kubeconfig "$kubeconfig")
    "${k[@]}" delete namespace "$demo_ns" "$operator_ns" --ignore-not-found --wait=false >/dev/null
    # the demo's pods stop at once (grace period 0; a terminating namespace gets no new ones): nobody
    # uses the proxy any more, and Squid's graceful stop kept the removal ~20 s longer
    deadline=$((SECONDS + 180))
    while [ -n "$("${k[@]}" get namespace "$demo_ns" "$operator_ns" --ignore-not-found -o name)" ]; do
      [ "$SECONDS" -lt "$deadline" ] || die "namespaces $demo_ns and $operator_ns not deleted within 180 s"
      "${k[@]}" -n "$demo_ns" delete pods --all --grace-period=0 --force >/dev/null 2>&1 || true
      sleep 0.5
    done
    stop_component demo-origin
    ip netns delete "$origin_ns" 2>/dev/null || true
    ip link delete "$DEMO_ORIGIN_VETH" 2>/dev/null || true
    log "removed the demo: the release cephaloproxy-operator, namespaces $operator_ns and $demo_ns, the web site at $DEMO_ORIGIN_ADDRESS"
    exit 0 ;;
  *) die "usage: $0 [--remove]" ;;
esac

record="$REPO_ROOT/dist/current/release.env"
[ -f "$record" ] || die "no release to install ($record): run scripts/run.sh, or scripts/release.sh VERSION \$(scripts/registry/up.sh)"
source "$record"
registry=$("$REPO_ROOT/scripts/registry/up.sh")
[ "$registry" = "$REGISTRY" ] || die "the release $VERSION was pushed to $REGISTRY but the registry now runs on $registry: release again (scripts/run.sh)"
kubeconfig=$("$CLUSTER_SCRIPTS/up.sh")
BIN=$(kube_bin_dir)
kubectl() { "$BIN/kubectl" --kubeconfig "$kubeconfig" "$@"; }
HELM=$("$REPO_ROOT/scripts/get-helm.sh")

# Namespaces that enforce Pod Security "restricted": the operator and the proxy run under it.
for ns in "$operator_ns" "$demo_ns"; do
  kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  kubectl label --overwrite namespace "$ns" pod-security.kubernetes.io/enforce=restricted >/dev/null
done

log "installing the operator: helm upgrade --install cephaloproxy-operator $CHART --version $VERSION (namespace $operator_ns)"
# A CRD from an earlier chart (0.1.0 installed it from crds/) or from another install path is handed to
# this release first, as docs/upgrading.md says; Helm refuses to adopt it otherwise.
if kubectl get crd squidproxies.cephaloproxy.io >/dev/null 2>&1; then
  kubectl label crd squidproxies.cephaloproxy.io app.kubernetes.io/managed-by=Helm --overwrite >/dev/null
  kubectl annotate crd squidproxies.cephaloproxy.io --overwrite meta.helm.sh/release-name=cephaloproxy-operator \
    meta.helm.sh/release-namespace="$operator_ns" >/dev/null
fi
"$HELM" upgrade --install cephaloproxy-operator "$CHART" --version "$VERSION" --ca-file "$REGISTRY_CA" \
  --kubeconfig "$kubeconfig" --namespace "$operator_ns" --wait --timeout 3m >/dev/null
log "operator image: $OPERATOR_IMAGE; default Squid image: $SQUID_IMAGE (pulled by the kubelet from $REGISTRY)"

# The web site to browse: proxies deny the cluster's own networks by default (docs/api.md,
# access.clusterNetworks), so it runs outside them, as a site beyond the node would: the origin
# binary (tests/cluster/origin) in the network namespace ${NETNS_PREFIX}demo-origin at
# $DEMO_ORIGIN_ADDRESS (TEST-NET-2), joined to the node by a veth pair, as nobody. A headless Service
# without selector, whose EndpointSlice points at that address, names it in the cluster DNS.
log "starting a web site to browse through the proxy at $DEMO_ORIGIN_ADDRESS (outside the cluster's networks), named origin.$demo_ns"
origin_bin="$NODE_DIR/demo-origin/origin"
mkdir -p "${origin_bin%/*}"
(cd "$REPO_ROOT/tests/cluster/origin" && CGO_ENABLED=0 go build -trimpath -o "$origin_bin.new" . && mv "$origin_bin.new" "$origin_bin")
if ! ip netns exec "$origin_ns" ip -4 addr show dev eth0 2>/dev/null | grep -q " $DEMO_ORIGIN_ADDRESS/"; then
  stop_component demo-origin
  ip netns delete "$origin_ns" 2>/dev/null || true
  ip link delete "$DEMO_ORIGIN_VETH" 2>/dev/null || true
  ip netns add "$origin_ns"
  ip link add "$DEMO_ORIGIN_VETH" type veth peer name eth0 netns "$origin_ns"
  ip addr add "$DEMO_ORIGIN_NODE_ADDRESS/30" dev "$DEMO_ORIGIN_VETH"
  ip link set "$DEMO_ORIGIN_VETH" up
  ip -n "$origin_ns" addr add "$DEMO_ORIGIN_ADDRESS/30" dev eth0
  ip -n "$origin_ns" link set lo up
  ip -n "$origin_ns" link set eth0 up
  ip -n "$origin_ns" route add default via "$DEMO_ORIGIN_NODE_ADDRESS"
  # port 80 without privileges, in this namespace only
  ip netns exec "$origin_ns" sysctl -qw net.ipv4.ip_unprivileged_port_start=80
fi
start_component demo-origin ip netns exec "$origin_ns" setpriv --reuid=65534 --regid=65534 --clear-groups \
  "$origin_bin" -http "$DEMO_ORIGIN_ADDRESS:80" -https ""
wait_until 30 "the demo web site at http://$DEMO_ORIGIN_ADDRESS/ready" \
  curl -sf -o /dev/null "http://$DEMO_ORIGIN_ADDRESS/ready" \
  || die "the demo web site did not answer at http://$DEMO_ORIGIN_ADDRESS/ready; read $LOG_DIR/demo-origin.log"
kubectl -n "$demo_ns" delete deployment origin --ignore-not-found >/dev/null
kubectl -n "$demo_ns" delete service origin --ignore-not-found >/dev/null
kubectl -n "$demo_ns" apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Service
metadata: {name: origin}
spec:
  clusterIP: None
  ports: [{name: http, port: 80}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: origin-outside
  labels: {kubernetes.io/service-name: origin}
addressType: IPv4
endpoints: [{addresses: ["$DEMO_ORIGIN_ADDRESS"], conditions: {ready: true}}]
ports: [{name: http, port: 80, protocol: TCP}]
EOF

log "applying examples/basic.yaml in $demo_ns"
started=$(date +%s.%N)
kubectl -n "$demo_ns" apply -f "$REPO_ROOT/examples/basic.yaml" >/dev/null
kubectl -n "$demo_ns" wait squidproxy/basic --for=condition=Ready --timeout=3m >/dev/null
log "SquidProxy basic is Ready ($(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}') s after kubectl apply)"

endpoint=$(kubectl -n "$demo_ns" get squidproxy basic -o 'jsonpath={.status.endpoint}')
service=${endpoint%%.*}
port=${endpoint##*:}
ip=$(kubectl -n "$demo_ns" get service "$service" -o 'jsonpath={.spec.clusterIP}')
echo
echo "SquidProxy basic serves at $endpoint (Service IP $ip). Through it, from this machine:"
echo
echo "  curl -x http://$ip:$port http://origin.$demo_ns.svc.$CLUSTER_DOMAIN/hello"
echo
echo "kubectl: $BIN/kubectl --kubeconfig $kubeconfig -n $demo_ns get squidproxy,pods"
