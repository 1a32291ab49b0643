#!/usr/bin/env bash
# Renders OLM v0.33.0's manifests for the local node from the module's own Helm chart, the way OLM's
# release does (scripts/package_release.sh of the module: `helm template -n olm -f
# deploy/upstream/values.yaml --include-crds deploy/chart` with the image references set):
#
#   scripts/olm/render.sh IMAGE OUTDIR    prints OUTDIR (the only thing on stdout), which then holds
#     crds.yaml   the chart's 8 CRDs (catalogsources, clusterserviceversions, installplans,
#                 olmconfigs, operatorconditions, operatorgroups, operators, subscriptions)
#     olm.yaml    everything else: namespaces olm and operators (Pod Security restricted/baseline),
#                 NetworkPolicies, RBAC, the olm-operator and catalog-operator Deployments, the
#                 packageserver CSV, the OLMConfig "cluster", the OperatorGroups
#
# IMAGE is OLM's image (scripts/olm/image.sh, by digest). What differs from upstream's values, each
# because this machine reaches no other registry or because the node differs:
#   - IMAGE for the olm-operator, the catalog operator, its --util-image and --opmImage (IMAGE holds
#     opm v1.56.0) and the packageserver;
#   - no --configmapServerImage (it serves ConfigMap catalogs, which nothing here uses; OLM's default
#     quay.io image stays unused);
#   - no operatorhubio-catalog CatalogSource (quay.io/operatorhubio/catalog:latest);
#   - the NetworkPolicies let the operators reach the API server on the node's port
#     ($APISERVER_PORT of scripts/cluster/env.sh, 16443) instead of 6443.
# The chart is read from the module cache (go mod download of the exact version, as build.sh does).
set -euo pipefail
exec 3>&1 1>&2
REPO_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export PATH="$PATH:/usr/local/go/bin"
fail() { echo "olm/render.sh: $*" >&2; exit 1; }
[ $# = 2 ] || fail "usage: scripts/olm/render.sh IMAGE OUTDIR   (IMAGE: OLM's image, e.g. REGISTRY/olm/olm@sha256:...)"
image=$1 out=$2
[[ "$image" =~ ^[A-Za-z0-9.:-]+/[a-z0-9./_-]+@sha256:[0-9a-f]{64}$ ]] \
  || fail "IMAGE '$image' is not a reference by digest (HOST[:PORT]/REPOSITORY@sha256:<64 hex>)"
module=github.com/operator-framework/operator-lifecycle-manager
version=v0.33.0
upstream_image='quay.io/operator-framework/olm@sha256:e74b2ac57963c7f3ba19122a8c31c9f2a0deb3c0c5cac9e5323ccffd0ca198ed'
apiserver_port="$(sed -n 's/^APISERVER_PORT=\([0-9]*\)$/\1/p' "$REPO_ROOT/scripts/cluster/env.sh")"
[ -n "$apiserver_port" ] || fail "no APISERVER_PORT in scripts/cluster/env.sh"
dir="$(GOTOOLCHAIN=local GOFLAGS= go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
chart="$dir/deploy/chart"
[ -f "$chart/Chart.yaml" ] && [ -f "$dir/deploy/upstream/values.yaml" ] || fail "the module $module@$version has no deploy/chart (dir '$dir')"
grep -q "ref: $upstream_image" "$dir/deploy/upstream/values.yaml" \
  || fail "$dir/deploy/upstream/values.yaml does not name $upstream_image (not OLM $version's values?)"
helm="$("$REPO_ROOT/scripts/get-helm.sh")"
mkdir -p "$out"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cat >"$work/local.yaml" <<YAML
olm:
  image: {ref: "$image"}
catalog:
  image: {ref: "$image"}
  commandArgs: ""
  opmImageArgs: "--opmImage=$image"
package:
  image: {ref: "$image", pullPolicy: IfNotPresent}
networkPolicy:
  kubeAPIServer:
    ports: [{protocol: TCP, port: $apiserver_port}]
YAML
# installType other than "upstream": the chart then leaves out the operatorhubio-catalog CatalogSource
"$helm" template olm "$chart" --namespace olm -f "$dir/deploy/upstream/values.yaml" -f "$work/local.yaml" \
  --set installType=local --output-dir "$work/rendered" >/dev/null \
  || fail "helm template of $chart failed (messages above)"
# one stream each, in the chart's file order (as OLM's quickstart concatenates them)
for f in "$chart"/crds/*.yaml; do echo "---"; cat "$f"; done >"$out/crds.yaml"
cat "$work"/rendered/olm/templates/*.yaml | grep -v '^# Source:' >"$out/olm.yaml"

# what must hold, or the install would pull from elsewhere or miss a CRD
crds="$(grep -c '^kind: CustomResourceDefinition$' "$out/crds.yaml")"
[ "$(grep -c '^---$' "$out/crds.yaml")" = "$crds" ] || fail "crds.yaml: not one YAML document per CRD"
[ "$crds" = 8 ] || fail "expected the chart's 8 CRDs, found $crds"
grep -q '^  name: olmconfigs.operators.coreos.com$' "$out/crds.yaml" || fail "crds.yaml lacks olmconfigs.operators.coreos.com"
refs="$(grep -c "$image" "$out/olm.yaml")"
[ "$refs" = 5 ] || fail "expected 5 references to $image in olm.yaml (3 Deployments' images, --util-image, --opmImage), found $refs"
! grep -n 'quay.io\|kind: CatalogSource\|configmapServerImage' "$out/olm.yaml" || fail "olm.yaml still names the above"
for kind in Namespace Deployment ClusterServiceVersion OLMConfig OperatorGroup; do
  grep -q "^kind: $kind$" "$out/olm.yaml" || fail "olm.yaml has no $kind"
done
grep -q "port: $apiserver_port$" "$out/olm.yaml" || fail "the NetworkPolicies do not name the API server port $apiserver_port"
echo "olm/render.sh: OLM $version from $chart: $crds CRDs, $(grep -c '^kind:' "$out/olm.yaml") objects, image $image"
echo "$out" >&3
