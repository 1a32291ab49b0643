#!/usr/bin/env bash
# The README's run command: a real single-node cluster on this machine, the operator installed as a
# user installs it (`helm install oci://<registry>/charts/cephaloproxy-operator --version <v>` from
# the local registry; the kubelet pulls the images by digest), the example SquidProxy
# examples/basic.yaml applied, and a web site in the cluster to try it on. Ends by printing the
# `curl -x` line that goes through the proxy.
# Needs root, the Kubernetes binaries (scripts/stages/30-control-plane.sh) and a release in the local
# registry (scripts/release.sh; its record dist/current/release.env; scripts/run.sh makes both).
# Idempotent: run it again to get the line again.
set -euo pipefail
source "$(dirname "$0")/env.sh"
[ "$(id -u)" = 0 ] || die "run as root (the node needs cgroups, mounts and iptables)"

record="$REPO_ROOT/dist/current/release.env"
[ -f "$record" ] || die "no release to install ($record): run scripts/run.sh, or scripts/release.sh VERSION \$(scripts/registry/up.sh)"
source "$record"
registry=$("$REPO_ROOT/scripts/registry/up.sh")
[ "$registry" = "$REGISTRY" ] || die "the release $VERSION was pushed to $REGISTRY but the registry now runs on $registry: release again (scripts/run.sh)"
kubeconfig=$("$CLUSTER_SCRIPTS/up.sh")
BIN=$(kube_bin_dir)
kubectl() { "$BIN/kubectl" --kubeconfig "$kubeconfig" "$@"; }
HELM=$("$REPO_ROOT/scripts/get-helm.sh")
operator_ns=cephaloproxy-system
demo_ns=cephaloproxy-demo

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

log "starting a web site to browse through the proxy (deployment origin in $demo_ns)"
sed "s|@IMAGE@|$ORIGIN_IMAGE|" "$REPO_ROOT/tests/cluster/src/test/resources/e2e/origin.yaml" \
  | sed '/^        volumeMounts:/,$d' | kubectl -n "$demo_ns" apply -f - >/dev/null
kubectl -n "$demo_ns" apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Service
metadata: {name: origin}
spec:
  selector: {app: origin}
  ports: [{name: http, port: 80, targetPort: 8080}]
EOF

log "applying examples/basic.yaml in $demo_ns"
started=$(date +%s.%N)
kubectl -n "$demo_ns" apply -f "$REPO_ROOT/examples/basic.yaml" >/dev/null
kubectl -n "$demo_ns" wait squidproxy/basic --for=condition=Ready --timeout=3m >/dev/null
log "SquidProxy basic is Ready ($(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}') s after kubectl apply)"
kubectl -n "$demo_ns" rollout status deployment/origin --timeout=2m >/dev/null

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
