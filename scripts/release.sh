#!/usr/bin/env bash
# Releases CephaloProxy VERSION into the OCI registry REGISTRY (HOST:PORT):
#   scripts/release.sh VERSION REGISTRY
#   1. pushes the Squid and operator images that the image stages built
#      (ghcr.io/cephaloproxy/{squid,operator}:<project version>, scripts/stages/40-images.sh and
#      45-operator-image.sh) as REGISTRY/cephaloproxy/{squid,operator}:VERSION and resolves their
#      digests from the registry;
#   2. packages the Helm chart with every image reference pinned by digest (the operator image and
#      the default Squid image the operator gives SquidProxies without spec.image), and pushes it
#      with `helm push` to oci://REGISTRY/charts/cephaloproxy-operator, version VERSION;
#   3. renders install.yaml (CRD, namespace, RBAC, Deployment; the same digests) from that chart for
#      a plain `kubectl apply -f`;
#      (RELEASE_CHART_DIR: another chart directory, for a test of this script)
#   OLM: the bundle image and a file-based catalog image (scripts/release-supply-chain.sh); with
#      RELEASE_PREVIOUS=DIR (an earlier release's record, e.g. dist/0.1.0) the catalog keeps that
#      release's bundles and this version replaces it (the upgrade graph OLM follows);
#      (RELEASE_SBOM_AND_SIGN=false: no SBOMs and no signatures, for a test's throwaway release such as
#      OlmE2E's next version, where they took 256 of 323 s; the record says SIGNED=false)
#   4. publishes the release record in $RELEASE_OUT/VERSION (default dist/VERSION) and points
#      $RELEASE_OUT/current at it: release.env (registry, chart, digests), install.yaml, the chart
#      archive and RELEASE-NOTES.md (which base images the images were built on).
# Nothing is published before every push succeeded: a failed release leaves the previous release
# record (and dist/current) as it was; what was pushed is referenced by nothing. A failed step stops
# the release with a message naming the step and its log ($RELEASE_OUT/logs/VERSION/STEP.log).
#
# TLS: REGISTRY is verified with REGISTRY_CA (default: the local registry's CA of
# scripts/registry/up.sh); Docker must trust it too (/etc/docker/certs.d/REGISTRY/ca.crt).
# Prints the release directory on stdout; progress goes to stderr.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$REPO_ROOT/scripts/registry/env.sh"
LOG_TAG=release
exec 3>&1 1>&2
usage() { echo "usage: scripts/release.sh VERSION REGISTRY   (e.g. scripts/release.sh 0.1.0 \$(scripts/registry/up.sh))" >&2; exit 2; }
[ $# -eq 2 ] || usage
VERSION=$1 REGISTRY=$2
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || { echo "release: VERSION '$VERSION' is not a SemVer version such as 0.1.0 or 0.2.0-rc.1 (Helm needs one)" >&2; exit 2; }
[[ "$REGISTRY" =~ ^[A-Za-z0-9.-]+(:[0-9]+)?$ ]] || { echo "release: REGISTRY '$REGISTRY' is not HOST or HOST:PORT (without a scheme or path)" >&2; exit 2; }
CA="${REGISTRY_CA_FILE:-$REGISTRY_CA}"
[ -r "$CA" ] || { echo "release: the registry's CA $CA is not readable (set REGISTRY_CA_FILE, or run scripts/registry/up.sh)" >&2; exit 2; }
OUT="${RELEASE_OUT:-$REPO_ROOT/dist}"
SIGNED="${RELEASE_SBOM_AND_SIGN:-true}"
case "$SIGNED" in true|false) ;; *) echo "release: RELEASE_SBOM_AND_SIGN is '$SIGNED': set it to true (the default) or false" >&2; exit 2 ;; esac
LOGS="$OUT/logs/$VERSION"
PROJECT_VERSION=$(project_version)
CHART_NAME=cephaloproxy-operator
CHART_REPO="oci://$REGISTRY/charts"
INSTALL_NAMESPACE=cephaloproxy-system
DOCKER=/usr/bin/docker
HELM=$("$REPO_ROOT/scripts/get-helm.sh")
mkdir -p "$OUT" "$LOGS"
WORK=$(mktemp -d "$OUT/.work-$VERSION.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
started=$SECONDS

# step NAME CMD...: runs CMD with its output in $LOGS/NAME.log; a failure stops the release naming
# the step and the log.
step() {
  local name=$1; shift
  local log="$LOGS/$name.log" t=$SECONDS
  log "step $name"
  # (a subshell with -e, outside any `if`: bash ignores -e in functions called from a condition)
  local rc
  set +e
  ( set -e; "$@" ) >"$log" 2>&1
  rc=$?
  set -e
  if [ "$rc" != 0 ]; then
    tail -25 "$log" | sed 's/^/    /' >&2
    log "FAILED: step '$name' of release $VERSION to $REGISTRY (log: $log); nothing was published, the previous release record in $OUT is unchanged"
    exit 1
  fi
  log "step $name done in $((SECONDS - t)) s"
  echo "$name $((SECONDS - t))" >>"$WORK/timings"
}
check() { "$@" || { echo "check failed: $*"; return 1; }; }

# ---------------------------------------------------------------------------------------------------
# Images. IMAGES: name -> the local image the stages built; DIGEST/REF are filled by push_image.
# (RELEASE_SQUID_SOURCE / RELEASE_OPERATOR_SOURCE name other local images, e.g. for a test of this script)
declare -A SOURCE=([squid]="${RELEASE_SQUID_SOURCE:-ghcr.io/cephaloproxy/squid:$PROJECT_VERSION}"
                   [operator]="${RELEASE_OPERATOR_SOURCE:-ghcr.io/cephaloproxy/operator:$PROJECT_VERSION}")
IMAGES=(squid operator)
declare -A DIGEST REF
# SBOMs, signatures, the OLM bundle and catalog: image_sboms, sign_and_attest, build_bundle, build_catalog
source "$REPO_ROOT/scripts/release-supply-chain.sh"

preflight() {
  local name
  for name in "${IMAGES[@]}"; do
    "$DOCKER" image inspect "${SOURCE[$name]}" >/dev/null \
      || { echo "Docker has no image ${SOURCE[$name]}: build it first (scripts/stages/40-images.sh, 45-operator-image.sh)"; return 1; }
  done
  # TLS verified with the CA: a registry that is down or not trusted fails here, before any push.
  curl -sS --max-time 10 --cacert "$CA" -o /dev/null -w '%{http_code}\n' "https://$REGISTRY/v2/" | grep -qx 200 \
    || { echo "https://$REGISTRY/v2/ did not answer 200 with TLS verified by $CA"; return 1; }
  [ -r "/etc/docker/certs.d/$REGISTRY/ca.crt" ] \
    || { echo "Docker does not trust $REGISTRY: /etc/docker/certs.d/$REGISTRY/ca.crt is missing (scripts/registry/up.sh writes it)"; return 1; }
  "$HELM" version --short
}

# manifest_digest REPOSITORY REFERENCE: the digest the registry serves for REPOSITORY:REFERENCE.
manifest_digest() {
  curl -sSf --max-time 30 --cacert "$CA" -o /dev/null -D - \
    -H 'Accept: application/vnd.oci.image.index.v1+json' -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "https://$REGISTRY/v2/$1/manifests/$2" | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *//p'
}

# push_image NAME: tags and pushes the image, then resolves its digest from the registry and checks
# it against the one Docker reported.
push_image() {
  local name=$1 repo="$REGISTRY/cephaloproxy/$1" pushed served
  "$DOCKER" tag "${SOURCE[$name]}" "$repo:$VERSION"
  "$DOCKER" push "$repo:$VERSION" | tee "$WORK/push-$name.out"
  pushed=$(sed -n 's/.*digest: \(sha256:[0-9a-f]\{64\}\).*/\1/p' "$WORK/push-$name.out" | tail -1)
  "$DOCKER" rmi "$repo:$VERSION" >/dev/null   # (only the local tag made for the push)
  served=$(manifest_digest "cephaloproxy/$name" "$VERSION")
  echo "docker reported $pushed; the registry serves $repo:$VERSION as $served"
  [[ "$served" =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "no digest for $repo:$VERSION from the registry"; return 1; }
  [ -z "$pushed" ] || [ "$pushed" = "$served" ] || { echo "digest mismatch: pushed $pushed, served $served"; return 1; }
  # by digest, the manifest is there
  [ "$(manifest_digest "cephaloproxy/$name" "$served")" = "$served" ] || { echo "$repo@$served is not served"; return 1; }
  echo "$served" >"$WORK/digest-$name"
}

# after_image_push NAME: per-image steps once NAME is in the registry as ${REF[NAME]} (REGISTRY/...@sha256:...).
# Add signing, SBOM attachment, ... here as `step NAME-WHAT CMD` (each gets its own log).
after_image_push() {
  local name=$1
  [ "$SIGNED" = true ] || return 0
  step "sbom-$name" image_sboms "$name"
  step "sign-$name" sign_and_attest "$name"
}

# release_image NAME: pushes SOURCE[NAME], records its digest and reference, runs the per-image steps.
release_image() {
  local name=$1
  step "push-$name" push_image "$name"
  DIGEST[$name]=$(cat "$WORK/digest-$name")
  REF[$name]="$REGISTRY/cephaloproxy/$name@${DIGEST[$name]}"
  log "$name: ${REF[$name]}"
  after_image_push "$name"
}

# ---------------------------------------------------------------------------------------------------
# Chart: a copy of helm/cephaloproxy-operator with version VERSION and the image references pinned.
package_chart() {
  local chart="$WORK/chart/$CHART_NAME" values
  mkdir -p "$WORK/chart"
  cp -a "${RELEASE_CHART_DIR:-$REPO_ROOT/helm/$CHART_NAME}/." "$chart"
  sed -i -e "s/^version: .*/version: $VERSION/" -e "s/^appVersion: .*/appVersion: \"$VERSION\"/" "$chart/Chart.yaml"
  values="$chart/values.yaml"
  # image: (the operator) and squidImage: (SQUID_IMAGE, the default of SquidProxies): repository and digest
  sed -i \
    -e "/^image:/,/^[a-z]/{s|^  repository: .*|  repository: $REGISTRY/cephaloproxy/operator|;s|^  digest: .*|  digest: \"${DIGEST[operator]}\"|}" \
    -e "/^squidImage:/,/^[a-z]/{s|^  repository: .*|  repository: $REGISTRY/cephaloproxy/squid|;s|^  digest: .*|  digest: \"${DIGEST[squid]}\"|}" \
    "$values"
  check grep -q "digest: \"${DIGEST[operator]}\"" "$values"
  check grep -q "digest: \"${DIGEST[squid]}\"" "$values"
  "$HELM" lint "$chart"
  "$HELM" package "$chart" --destination "$WORK"
  check test -f "$WORK/$CHART_NAME-$VERSION.tgz"
  # what the chart deploys: both images by digest, and nothing of ours by tag
  "$HELM" template "$CHART_NAME" "$WORK/$CHART_NAME-$VERSION.tgz" --namespace "$INSTALL_NAMESPACE" >"$WORK/rendered.yaml"
  check grep -q "image: \"${REF[operator]}\"" "$WORK/rendered.yaml"
  check grep -q "value: \"${REF[squid]}\"" "$WORK/rendered.yaml"
  ! grep -nE '(image|value): "?[^ "]*cephaloproxy/(squid|operator):' "$WORK/rendered.yaml" \
    || { echo "an image of ours is referenced by tag"; return 1; }
}

# install.yaml: Namespace (Pod Security restricted) + CRD + the chart's objects, rendered from the packaged chart.
render_install_yaml() {
  {
    echo "# CephaloProxy $VERSION: kubectl apply -f install.yaml"
    echo "# Rendered by scripts/release.sh from the chart $CHART_REPO/$CHART_NAME:$VERSION (helm template,"
    echo "# namespace $INSTALL_NAMESPACE, default values); images pinned by digest."
    cat <<EOF
---
apiVersion: v1
kind: Namespace
metadata:
  name: $INSTALL_NAMESPACE
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
EOF
    "$HELM" template "$CHART_NAME" "$WORK/$CHART_NAME-$VERSION.tgz" --namespace "$INSTALL_NAMESPACE" --include-crds
  } >"$WORK/install.yaml"
  local kind
  for kind in Namespace CustomResourceDefinition ServiceAccount ClusterRole ClusterRoleBinding ValidatingAdmissionPolicy ValidatingAdmissionPolicyBinding Deployment; do
    check grep -Eq "^kind: \"?$kind\"?$" "$WORK/install.yaml"
  done
  check grep -q "${REF[operator]}" "$WORK/install.yaml"
  check grep -q "${REF[squid]}" "$WORK/install.yaml"
}

# helm push, then pull it back and compare: the registry serves exactly the archive packaged here.
push_chart() {
  "$HELM" push "$WORK/$CHART_NAME-$VERSION.tgz" "$CHART_REPO" --ca-file "$CA"
  mkdir -p "$WORK/pulled"
  "$HELM" pull "$CHART_REPO/$CHART_NAME" --version "$VERSION" --ca-file "$CA" --destination "$WORK/pulled"
  check cmp "$WORK/$CHART_NAME-$VERSION.tgz" "$WORK/pulled/$CHART_NAME-$VERSION.tgz"
  manifest_digest "charts/$CHART_NAME" "$VERSION" >"$WORK/digest-chart"
  check grep -q '^sha256:' "$WORK/digest-chart"
}

base_images() { # NAME: the base images recorded in the image's labels (image/Dockerfile, operator/Dockerfile)
  local runtime builder
  runtime=$("$DOCKER" image inspect -f '{{index .Config.Labels "org.opencontainers.image.base.name"}}' "${SOURCE[$1]}")
  builder=$("$DOCKER" image inspect -f '{{index .Config.Labels "io.cephaloproxy.image.builder.name"}}' "${SOURCE[$1]}")
  echo "runtime base \`${runtime:-(not recorded)}\`, builder \`${builder:-(not recorded)}\`"
}

# The release record, written to a new directory and swapped in only now that everything is pushed.
publish() {
  local dir="$OUT/$VERSION" new="$OUT/.new-$VERSION"
  rm -rf "$new"; mkdir -p "$new"
  cp "$WORK/install.yaml" "$WORK/$CHART_NAME-$VERSION.tgz" "$new/"
  mkdir -p "$WORK/extra"; cp -a "$WORK/extra/." "$new/"          # sbom/, cosign.pub (when SIGNED)
  cp -a "$WORK/catalog/configs" "$new/catalog"
  cat >"$new/release.env" <<EOF
# CephaloProxy release $VERSION (scripts/release.sh, $(date -u +%Y-%m-%dT%H:%M:%SZ))
VERSION=$VERSION
REGISTRY=$REGISTRY
REGISTRY_CA=$CA
CHART=$CHART_REPO/$CHART_NAME
CHART_DIGEST=$(cat "$WORK/digest-chart")
OPERATOR_IMAGE=${REF[operator]}
SQUID_IMAGE=${REF[squid]}
BUNDLE_IMAGE=${REF[operator-bundle]}
CATALOG_IMAGE=${REF[operator-catalog]}
OLM_PACKAGE=$OLM_PACKAGE
OLM_CHANNEL=$OLM_CHANNEL
OLM_REPLACES=$(catalog_replaces "$WORK/catalog/configs/$OLM_PACKAGE")
SIGNED=$SIGNED
COSIGN_PUBLIC_KEY=$([ "$SIGNED" = false ] || echo "$dir/cosign.pub")
INSTALL_NAMESPACE=$INSTALL_NAMESPACE
EOF
  {
    echo "# CephaloProxy $VERSION"
    echo
    echo "| artifact | reference |"
    echo "| --- | --- |"
    echo "| Helm chart | \`$CHART_REPO/$CHART_NAME\` version \`$VERSION\` (\`$(cat "$WORK/digest-chart")\`) |"
    echo "| operator image | \`${REF[operator]}\` |"
    echo "| Squid image | \`${REF[squid]}\` |"
    echo "| OLM bundle image | \`${REF[operator-bundle]}\` |"
    echo "| OLM catalog image (file-based, package \`$OLM_PACKAGE\`, channel \`$OLM_CHANNEL\`) | \`${REF[operator-catalog]}\` |"
    echo "| install.yaml | CRD, namespace \`$INSTALL_NAMESPACE\`, RBAC, Deployment; images by digest |"
    echo
    echo "Install: \`helm install cephaloproxy-operator $CHART_REPO/$CHART_NAME --version $VERSION"
    echo "--namespace $INSTALL_NAMESPACE --create-namespace\`, or \`kubectl apply -f install.yaml\`."
    echo
    if [ "$SIGNED" = false ]; then
      echo "NOT SIGNED, NO SBOMs: a test release (RELEASE_SBOM_AND_SIGN=false), not for publishing."
    else
      echo "SBOMs: \`sbom/<image>-image.spdx.json\` (syft: the Debian packages and jars in the image) and"
      echo "\`sbom/<image>-java.cdx.json\` (CycloneDX: the Java program's Maven dependencies)."
      echo
      echo "Every image is signed by digest with the key in \`cosign.pub\` (no transparency log):"
      echo "\`cosign verify --key cosign.pub --insecure-ignore-tlog=true <image>\`; the SBOMs are attached as signed"
      echo "attestations (\`cosign verify-attestation --type spdxjson\` / \`--type cyclonedx\`)."
    fi
    echo
    echo "Base images (the Dockerfiles' defaults are gcr.io/distroless/cc-debian13:nonroot and debian:13-slim;"
    echo "\`cephaloproxy.local/*\` are the local stand-ins of image/base/build-bases.sh, used where no registry is reachable):"
    echo
    local name
    for name in "${IMAGES[@]}"; do echo "- $name: $(base_images "$name")"; done
  } >"$new/RELEASE-NOTES.md"
  cp "$WORK/timings" "$new/timings"
  rm -rf "$dir.old"; [ ! -e "$dir" ] || mv "$dir" "$dir.old"
  mv "$new" "$dir"; rm -rf "$dir.old"
  ln -sfn "$VERSION" "$OUT/.current.new" && mv -T "$OUT/.current.new" "$OUT/current"
}

# ---------------------------------------------------------------------------------------------------
log "releasing CephaloProxy $VERSION to $REGISTRY (TLS verified with $CA; logs: $LOGS)"
[ "$SIGNED" = true ] || log "RELEASE_SBOM_AND_SIGN=false: no SBOMs and no signatures in this release (a test release, not for publishing)"
step preflight preflight
step supply-chain-tools supply_chain_tools
for name in "${IMAGES[@]}"; do release_image "$name"; done
# OLM: the bundle (images pinned by the digests above), then the catalog that renders it from the registry
SOURCE[operator-bundle]=cephaloproxy.local/operator-bundle:$VERSION
SOURCE[operator-catalog]=cephaloproxy.local/operator-catalog:$VERSION
step bundle-build build_bundle
release_image operator-bundle
step catalog-build build_catalog
release_image operator-catalog
step package-chart package_chart
step install-yaml render_install_yaml
step push-chart push_chart
step publish publish
log "released $VERSION in $((SECONDS - started)) s: chart $CHART_REPO/$CHART_NAME:$VERSION, record $OUT/$VERSION"
echo "$OUT/$VERSION" >&3
