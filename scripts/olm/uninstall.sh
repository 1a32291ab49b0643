#!/usr/bin/env bash
# Removes what scripts/olm/install.sh installed, in the order OLM's docs give: the packageserver CSV
# (OLM deletes its Deployment), its APIService, the objects of olm.yaml, the CRDs. Operators that
# OLM installed should be removed first (their Subscriptions and CSVs), or their Deployments stay.
# Idempotent: what is not there is skipped.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$REPO_ROOT/scripts/cluster/env.sh"
exec 3>&1 1>&2
kubectl=("$(kube_bin_dir)/kubectl" --kubeconfig "$ADMIN_KUBECONFIG")
start=$SECONDS
if "${kubectl[@]}" get crd clusterserviceversions.operators.coreos.com >/dev/null 2>&1; then
  "${kubectl[@]}" -n olm delete csv packageserver --ignore-not-found --wait --timeout=120s >/dev/null
fi
"${kubectl[@]}" delete apiservice v1.packages.operators.coreos.com --ignore-not-found >/dev/null
# olm.yaml's objects (scripts/olm/render.sh) by name: its OLM kinds need the CRDs, which may be gone
# already; the namespaces take the Deployments, OperatorGroups and the service account with them
"${kubectl[@]}" delete clusterrolebinding olm-operator-binding-olm --ignore-not-found >/dev/null
"${kubectl[@]}" delete clusterrole system:controller:operator-lifecycle-manager aggregate-olm-edit aggregate-olm-view \
  --ignore-not-found >/dev/null
# OLM's pods stop at once (grace period 0, once the namespaces terminate nothing can start new ones):
# nothing needs their graceful stop, which kept the namespaces, and this script, ~16 s longer
"${kubectl[@]}" delete namespace olm operators --ignore-not-found --wait=false >/dev/null
deadline=$((SECONDS + 180))
while [ -n "$("${kubectl[@]}" get namespace olm operators --ignore-not-found -o name)" ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "olm/uninstall.sh: namespaces olm and operators not deleted within 180 s" >&2
    exit 1
  fi
  for ns in olm operators; do
    "${kubectl[@]}" -n "$ns" delete pods --all --grace-period=0 --force >/dev/null 2>&1 || true
  done
  sleep 0.5
done
# the ClusterRoles OLM made for the OperatorGroups (admin/edit/view per group; cluster-scoped, so the
# namespaces do not take them)
"${kubectl[@]}" delete clusterrole -l olm.owner.kind=OperatorGroup --ignore-not-found >/dev/null
# the CRDs of OLM's chart (all of group operators.coreos.com); the OLMConfig and OLM's Operator
# objects go with them
crds="$("${kubectl[@]}" get crd -o name | grep '\.operators\.coreos\.com$' || true)"
[ -z "$crds" ] || "${kubectl[@]}" delete $crds --ignore-not-found --wait --timeout=180s >/dev/null
echo "olm/uninstall.sh: OLM removed in $((SECONDS - start)) s"
