# Supply-chain steps of scripts/release.sh (sourced by it; uses its step, say, check, REF, DIGEST,
# SOURCE, REGISTRY, CA, WORK, VERSION, PROJECT_VERSION, DOCKER, REPO_ROOT):
#   - supply_chain_tools: syft, opm and grpc_health_probe (scripts/supply-chain-tool.sh, cached);
#   - image_sboms NAME: the image's SBOM (syft, SPDX: the Debian packages and jars in the image) and,
#     for our images, the CycloneDX SBOM of the Java part (Maven), kept for the release record (sbom/);
#   - build_bundle / build_catalog: the OLM bundle image (bundle/, images pinned by digest) and a
#     file-based catalog image (opm init + render + a channel holding this version, `opm validate`),
#     both pushed by digest; a catalog or CSV that opm refuses fails the step with opm's message.

# name -> the CycloneDX SBOM of the Java program in the image (stage 20: mvn install)
declare -A JAVA_SBOM=([squid]="$REPO_ROOT/image/agent/target/cephaloproxy-agent-$PROJECT_VERSION.cdx.json"
                      [operator]="$REPO_ROOT/operator/target/cephaloproxy-operator-$PROJECT_VERSION.cdx.json")

# tools.env (written by supply_chain_tools): SYFT, OPM, GRPC_HEALTH_PROBE
supply_chain_tools() {
  local t
  for t in syft opm grpc_health_probe; do
    echo "${t^^}=$("$REPO_ROOT/scripts/supply-chain-tool.sh" "$t")"
  done >"$WORK/tools.env"
  source "$WORK/tools.env"
  "$OPM" version
}

# image_sboms NAME: the SBOMs of image NAME for the release record (sbom/): the image's (syft, SPDX:
# Debian packages from status.d, jars, Go modules), read from the local image that was just pushed
# (same layers; from Docker it takes a third of the time of a registry pull), and for our images the
# CycloneDX SBOM of the Java program (Maven, stage 20).
image_sboms() {
  local name=$1 sboms="$WORK/extra/sbom"
  source "$WORK/tools.env"
  mkdir -p "$sboms"
  SYFT_CHECK_FOR_APP_UPDATE=false "$SYFT" scan -q "docker:${SOURCE[$name]}" -o "spdx-json=$sboms/$name-image.spdx.json"
  check jq -e '.packages | length > 0' "$sboms/$name-image.spdx.json"
  if [ -n "${JAVA_SBOM[$name]:-}" ]; then
    [ -r "${JAVA_SBOM[$name]}" ] || { echo "${JAVA_SBOM[$name]} missing: build the Maven modules first (stage 20, mvn install)"; return 1; }
    cp "${JAVA_SBOM[$name]}" "$sboms/$name-java.cdx.json"
  fi
  ls -l "$sboms"/"$name"-*
}

# ---------------------------------------------------------------------------------------------------
# OLM: the bundle image (bundle/ with every image pinned by digest) and a file-based catalog image.
OLM_PACKAGE=cephaloproxy-operator
OLM_CHANNEL=candidate
CSV_FILE=manifests/cephaloproxy-operator.clusterserviceversion.yaml
# The catalog image's base: the runtime base of our images plus opm and grpc_health_probe.
CATALOG_BASE="${RELEASE_CATALOG_BASE:-cephaloproxy.local/distroless-cc:debian13-nonroot}"

# pin_bundle DIR: rewrites the bundle copy in DIR for this release: operator and Squid images by
# digest (deployment, SQUID_IMAGE, containerImage, relatedImages), createdAt, version VERSION.
pin_bundle() {
  local csv="$1/$CSV_FILE"
  sed -i -e "s|ghcr.io/cephaloproxy/operator:$PROJECT_VERSION|${REF[operator]}|g" \
         -e "s|ghcr.io/cephaloproxy/squid:$PROJECT_VERSION|${REF[squid]}|g" \
         -e "s|^    createdAt: .*|    createdAt: \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"|" \
         -e "s|^  name: $OLM_PACKAGE.v$PROJECT_VERSION\$|  name: $OLM_PACKAGE.v$VERSION|" \
         -e "s|^  version: $PROJECT_VERSION\$|  version: $VERSION|" "$csv"
  ! grep -nE 'ghcr\.io/cephaloproxy/[a-z-]+:[0-9]' "$csv" || { echo "the CSV still references an image by tag (above)"; return 1; }
  check grep -q "^  name: $OLM_PACKAGE.v$VERSION\$" "$csv"
  check grep -q "containerImage: ${REF[operator]}" "$csv"
}

# build_bundle: the bundle image, tagged SOURCE[operator-bundle] for push_image.
build_bundle() {
  local dir="$WORK/bundle"
  rm -rf "$dir"; mkdir -p "$dir"
  cp -a "${RELEASE_BUNDLE_DIR:-$REPO_ROOT/bundle}/." "$dir/"
  pin_bundle "$dir"
  bundle_check "$dir"
  DOCKER_BUILDKIT=1 "$DOCKER" build -f "$dir/bundle.Dockerfile" -t "${SOURCE[operator-bundle]}" "$dir"
}

# bundle_check DIR: opm reads the bundle directory and validates a one-bundle catalog of it, before
# anything is pushed; a CSV opm refuses fails here with opm's message.
bundle_check() {
  source "$WORK/tools.env"
  local fbc="$WORK/bundle-check/$OLM_PACKAGE" out
  rm -rf "$WORK/bundle-check"; mkdir -p "$fbc"
  "$OPM" init "$OLM_PACKAGE" --default-channel="$OLM_CHANNEL" --output=yaml >"$fbc/package.yaml"
  if ! out=$("$OPM" render "$1" --output=yaml 2>&1 >"$fbc/bundle.yaml"); then
    echo "opm refused the bundle $1:"
    echo "$out"
    return 1
  fi
  printf '%s\n' "---" "schema: olm.channel" "package: $OLM_PACKAGE" "name: $OLM_CHANNEL" "entries:" \
    "  - name: $OLM_PACKAGE.v$VERSION" >"$fbc/channel.yaml"
  catalog_validate "$WORK/bundle-check"
}

# build_catalog: opm init + render of the pushed bundle (from the registry, by digest) + a channel
# holding this version; `opm validate`; then the catalog image, tagged SOURCE[operator-catalog].
build_catalog() {
  source "$WORK/tools.env"
  local dir="$WORK/catalog" fbc="$WORK/catalog/configs/$OLM_PACKAGE" base
  rm -rf "$dir"; mkdir -p "$fbc"
  "$OPM" init "$OLM_PACKAGE" --default-channel="$OLM_CHANNEL" --icon="$REPO_ROOT/bundle/icon.svg" \
    --output=yaml >"$fbc/package.yaml"
  # opm pulls with containers/image: TLS verified with /etc/docker/certs.d/REGISTRY/ca.crt; its
  # signature policy (the usual default: accept, the reference is a digest) in a private HOME, the
  # machine's /etc/containers is left alone.
  mkdir -p "$WORK/opm-home/.config/containers"
  echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$WORK/opm-home/.config/containers/policy.json"
  HOME="$WORK/opm-home" "$OPM" render "${REF[operator-bundle]}" --output=yaml >"$fbc/bundle.yaml"
  check grep -q "^image: ${REF[operator-bundle]}\$" "$fbc/bundle.yaml"
  cat >"$fbc/channel.yaml" <<YAML
---
schema: olm.channel
package: $OLM_PACKAGE
name: $OLM_CHANNEL
entries:
  - name: $OLM_PACKAGE.v$VERSION
YAML
  catalog_validate "$dir/configs"
  # The base: the runtime base with /bin/opm and /bin/grpc_health_probe (OLM v0 probes the catalog
  # pod with it). opm is a cgo binary for glibc, which the base has.
  base="cephaloproxy.local/opm-base:$(basename "$OPM" | sed 's/^opm-//')"
  mkdir -p "$dir/base"
  cp "$OPM" "$dir/base/opm"; cp "$GRPC_HEALTH_PROBE" "$dir/base/grpc_health_probe"
  printf '%s\n' "FROM $CATALOG_BASE" "COPY opm grpc_health_probe /bin/" "USER 65532:0" \
    'ENTRYPOINT ["/bin/opm"]' >"$dir/base/Dockerfile"
  DOCKER_BUILDKIT=1 "$DOCKER" build -t "$base" "$dir/base"
  "$DOCKER" run --rm --network none "$base" version
  (cd "$dir" && "$OPM" generate dockerfile configs --base-image "$base" --builder-image "$base")
  DOCKER_BUILDKIT=1 "$DOCKER" build -f "$dir/configs.Dockerfile" -t "${SOURCE[operator-catalog]}" "$dir"
  # the image serves the catalog: opm validates what it holds
  "$DOCKER" run --rm --network none --entrypoint /bin/opm "${SOURCE[operator-catalog]}" validate /configs
}

# catalog_validate DIR: `opm validate`; on refusal, opm's own message and a failed step.
catalog_validate() {
  local out
  if ! out=$("$OPM" validate "$1" 2>&1); then
    echo "opm refused the catalog $1:"
    echo "$out"
    return 1
  fi
  echo "opm validate $1: ok"
}
