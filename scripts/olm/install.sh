#!/usr/bin/env bash
# Installs OLM v0 (v0.33.0) on the local single-node cluster from the manifests of the module's own
# Helm chart (scripts/olm/render.sh: what OLM's release renders, with the image of
# scripts/olm/image.sh in the local registry):
#   1. the 8 CRDs (server-side apply: the ClusterServiceVersion CRD is too large for the annotation of
#      client-side apply), waited for Established;
#   2. olm.yaml: namespaces olm and operators, NetworkPolicies, RBAC, the OLMConfig, the olm-operator
#      and catalog-operator Deployments, the OperatorGroups, and the packageserver CSV (which OLM
#      itself then installs: its Deployment, certificates and the APIService
#      v1.packages.operators.coreos.com);
#   3. waits for both Deployments and the packageserver's, then for its APIService Available and its
#      CSV Succeeded (a node without the API aggregation layer fails here, naming it).
# (The module's deploy/upstream/quickstart manifests are stale in v0.33.0: the catalog operator's
# single-dash flags, which its cobra command refuses, and no OLMConfig CRD, without which the
# olm-operator never reports the packageserver CSV's status.)
# Idempotent: a second run changes nothing and waits for the same conditions. scripts/olm/uninstall.sh
# removes it all. Needs the cluster (scripts/cluster/up.sh) and the registry (scripts/registry/up.sh).
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$REPO_ROOT/scripts/cluster/env.sh"
exec 3>&1 1>&2
fail() { echo "olm/install.sh: $*" >&2; exit 1; }
kubectl=("$(kube_bin_dir)/kubectl" --kubeconfig "$ADMIN_KUBECONFIG")
TIMEOUT="${OLM_INSTALL_TIMEOUT:-240}"
start=$SECONDS
image="$("$REPO_ROOT/scripts/olm/image.sh")"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
manifests="$("$REPO_ROOT/scripts/olm/render.sh" "$image" "$tmp")"

echo "olm/install.sh: CRDs"
"${kubectl[@]}" apply --server-side --force-conflicts --field-manager=cephaloproxy-olm-install -f "$manifests/crds.yaml" >/dev/null
"${kubectl[@]}" wait --for=condition=Established --timeout="${TIMEOUT}s" -f "$manifests/crds.yaml" >/dev/null
echo "olm/install.sh: olm.yaml (image $image)"
"${kubectl[@]}" apply --server-side --force-conflicts --field-manager=cephaloproxy-olm-install -f "$manifests/olm.yaml" >/dev/null
for d in olm-operator catalog-operator; do
  "${kubectl[@]}" -n olm rollout status "deployment/$d" --timeout="${TIMEOUT}s" >/dev/null \
    || { "${kubectl[@]}" -n olm get pods -o wide; "${kubectl[@]}" -n olm describe deployment "$d" | tail -20; fail "deployment olm/$d did not become available"; }
done
# OLM installs the packageserver from its CSV: wait for that Deployment, then for the CSV. The CSV
# reaches Succeeded only when its APIService is Available, which needs the API server's aggregation
# layer (front-proxy client certificate and request-header CA); a node without it serves OLM all the
# same (Subscriptions, InstallPlans and CSVs do not use the packageserver), but an unavailable
# APIService stops every namespace deletion in the cluster: fail, naming the cause.
for _ in $(seq 1 "$TIMEOUT"); do
  "${kubectl[@]}" -n olm get deployment packageserver >/dev/null 2>&1 && break
  sleep 1
done
"${kubectl[@]}" -n olm rollout status deployment/packageserver --timeout="${TIMEOUT}s" >/dev/null \
  || { "${kubectl[@]}" -n olm get pods -o wide; "${kubectl[@]}" -n olm logs deployment/packageserver --tail=5 || true; fail "deployment olm/packageserver did not become available"; }
apiservice=v1.packages.operators.coreos.com
if "${kubectl[@]}" wait --for=condition=Available --timeout=60s "apiservice/$apiservice" >/dev/null 2>&1; then
  phase=
  for _ in $(seq 1 "$TIMEOUT"); do
    phase="$("${kubectl[@]}" -n olm get csv packageserver -o jsonpath='{.status.phase}' 2>/dev/null || true)"
    [ "$phase" = Succeeded ] && break
    sleep 1
  done
  [ "$phase" = Succeeded ] || { "${kubectl[@]}" -n olm get csv packageserver -o yaml | tail -40; fail "CSV olm/packageserver is '$phase', not Succeeded, after ${TIMEOUT}s"; }
  packages="packageserver CSV Succeeded, APIService Available"
else
  reason="$("${kubectl[@]}" get apiservice "$apiservice" -o jsonpath='{.status.conditions[?(@.type=="Available")].message}')"
  # only that cause is tolerated: the API server publishes no request-header CA for aggregated servers
  ! "${kubectl[@]}" -n kube-system get configmap extension-apiserver-authentication \
      -o jsonpath='{.data.requestheader-client-ca-file}' | grep -q 'BEGIN CERTIFICATE' \
    || fail "APIService $apiservice is not Available: $reason"
  fail "APIService $apiservice is not Available ($reason): the node's kube-apiserver has no aggregation layer (--requestheader-client-ca-file, --proxy-client-cert-file; scripts/cluster/up.sh), and while an APIService is unavailable every namespace deletion in the cluster stops at NamespaceDeletionDiscoveryFailure: remove OLM with scripts/olm/uninstall.sh"
fi
echo "olm/install.sh: OLM v0.33.0 installed in $((SECONDS - start)) s: olm-operator, catalog-operator Available; $packages"
