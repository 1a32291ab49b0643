# Supply-chain steps of scripts/release.sh (sourced by it; uses its step, log, check, REF, DIGEST,
# REGISTRY, CA, WORK, VERSION, PROJECT_VERSION, DOCKER, REPO_ROOT):
#   - supply_chain_tools: syft, cosign and opm (scripts/supply-chain-tool.sh, cached) and the signing key;
#   - image_sboms NAME: the image's SBOM (syft, SPDX: the Debian packages and jars in the image) and,
#     for our images, the CycloneDX SBOM of the Java part (Maven), kept for the release record (sbom/);
#   - sign_and_attest NAME: signs REF[NAME] by digest with cosign, verifies the signature, attaches
#     the SBOMs as signed attestations and verifies them;
#   - build_bundle / build_catalog: the OLM bundle image (bundle/, images pinned by digest) and a
#     file-based catalog image (opm init + render + the channel: this version, replacing the release
#     RELEASE_PREVIOUS names if set; `opm validate`),
#     both pushed by digest; a catalog or CSV that opm refuses fails the step with opm's message.
#
# Signing: offline, no transparency log (--tlog-upload=false; verification --insecure-ignore-tlog)
# and no Fulcio: a cosign key pair. COSIGN_KEY (any cosign key reference) and COSIGN_PASSWORD sign a
# real release; by default a key pair made once for this machine in $RELEASE_KEY_DIR
# (/var/lib/cephaloproxy-release, empty password) signs, and its public key is published with the
# release (cosign.pub). cosign, syft and opm talk to the registry with TLS verified by its CA.

RELEASE_KEY_DIR="${RELEASE_KEY_DIR:-/var/lib/cephaloproxy-release}"
# name -> the CycloneDX SBOM of the Java program in the image (stage 20: mvn install)
declare -A JAVA_SBOM=([squid]="$REPO_ROOT/image/agent/target/cephaloproxy-agent-$PROJECT_VERSION.cdx.json"
                      [operator]="$REPO_ROOT/operator/target/cephaloproxy-operator-$PROJECT_VERSION.cdx.json")

# tools.env (written by supply_chain_tools): SYFT, COSIGN, OPM, SIGNING_KEY, PUBLIC_KEY
supply_chain_tools() {
  local t
  for t in syft cosign opm grpc_health_probe; do
    echo "${t^^}=$("$REPO_ROOT/scripts/supply-chain-tool.sh" "$t")"
  done >"$WORK/tools.env"
  source "$WORK/tools.env"
  "$COSIGN" version
  "$OPM" version
  if [ -n "${COSIGN_KEY:-}" ]; then
    [ -n "${COSIGN_PUBLIC_KEY:-}" ] || { echo "COSIGN_KEY is set: set COSIGN_PUBLIC_KEY to its public key too"; return 1; }
    echo "SIGNING_KEY=$COSIGN_KEY PUBLIC_KEY=$COSIGN_PUBLIC_KEY" | tr ' ' '\n' >>"$WORK/tools.env"
  else
    if [ ! -f "$RELEASE_KEY_DIR/cosign.key" ]; then
      echo "making the machine's release signing key pair in $RELEASE_KEY_DIR"
      mkdir -p "$RELEASE_KEY_DIR" && chmod 700 "$RELEASE_KEY_DIR"
      (cd "$RELEASE_KEY_DIR" && COSIGN_PASSWORD= "$COSIGN" generate-key-pair --output-key-prefix cosign.new) \
        && mv "$RELEASE_KEY_DIR/cosign.new.pub" "$RELEASE_KEY_DIR/cosign.pub" \
        && mv "$RELEASE_KEY_DIR/cosign.new.key" "$RELEASE_KEY_DIR/cosign.key"
    fi
    printf 'SIGNING_KEY=%s\nPUBLIC_KEY=%s\n' "$RELEASE_KEY_DIR/cosign.key" "$RELEASE_KEY_DIR/cosign.pub" >>"$WORK/tools.env"
  fi
  source "$WORK/tools.env"
  [ -r "$PUBLIC_KEY" ] || { echo "public key $PUBLIC_KEY is not readable"; return 1; }
}

# cosign ARGS...: cosign offline, trusting the registry's CA, never prompting.
cosign_() {
  SSL_CERT_FILE="$CA" TUF_ROOT="$WORK/tuf" COSIGN_YES=true COSIGN_PASSWORD="${COSIGN_PASSWORD:-}" \
    SIGSTORE_NO_CACHE=true "$COSIGN" "$@"
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

# sign_and_attest NAME: signs REF[NAME] by digest, verifies the signature names exactly that digest,
# attaches the SBOMs of image_sboms as signed attestations and verifies them.
sign_and_attest() {
  local name=$1 ref=${REF[$1]} sboms="$WORK/extra/sbom"
  source "$WORK/tools.env"
  cosign_ sign --key "$SIGNING_KEY" --tlog-upload=false "$ref"
  cosign_ verify --key "$PUBLIC_KEY" --insecure-ignore-tlog=true "$ref" >"$WORK/verify-$name.json"
  check grep -q "\"docker-manifest-digest\":\"${DIGEST[$name]}\"" "$WORK/verify-$name.json"
  cosign_ attest --key "$SIGNING_KEY" --tlog-upload=false --type spdxjson --predicate "$sboms/$name-image.spdx.json" "$ref"
  cosign_ verify-attestation --key "$PUBLIC_KEY" --insecure-ignore-tlog=true --type spdxjson "$ref" >/dev/null
  if [ -f "$sboms/$name-java.cdx.json" ]; then
    cosign_ attest --key "$SIGNING_KEY" --tlog-upload=false --type cyclonedx --predicate "$sboms/$name-java.cdx.json" "$ref"
    cosign_ verify-attestation --key "$PUBLIC_KEY" --insecure-ignore-tlog=true --type cyclonedx "$ref" >/dev/null
  fi
  cp "$PUBLIC_KEY" "$WORK/extra/cosign.pub"
  echo "$ref: signed, signature verified; SBOM attestations verified"
}

# ---------------------------------------------------------------------------------------------------
# OLM: the bundle image (bundle/ with every image pinned by digest) and a file-based catalog image.
OLM_PACKAGE=cephaloproxy-operator
OLM_CHANNEL=candidate
CSV_FILE=manifests/cephaloproxy-operator.clusterserviceversion.yaml
# The catalog image's base: the runtime base of our images plus opm and grpc_health_probe.
CATALOG_BASE="${RELEASE_CATALOG_BASE:-cephaloproxy.local/distroless-cc:debian13-nonroot}"

# pin_bundle DIR: rewrites the bundle copy in DIR for this release: operator and Squid images by
# digest (deployment, SQUID_IMAGE, containerImage, relatedImages), createdAt, version VERSION, and
# the upgrade graph's olm.skipRange "<VERSION" (OLM upgrades any earlier version to this one).
pin_bundle() {
  local csv="$1/$CSV_FILE"
  sed -i -e "s|ghcr.io/cephaloproxy/operator:$PROJECT_VERSION|${REF[operator]}|g" \
         -e "s|ghcr.io/cephaloproxy/squid:$PROJECT_VERSION|${REF[squid]}|g" \
         -e "s|^    createdAt: .*|    createdAt: \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"|" \
         -e "s|^  name: $OLM_PACKAGE.v$PROJECT_VERSION\$|  name: $OLM_PACKAGE.v$VERSION|" \
         -e "s|^  version: $PROJECT_VERSION\$|  version: $VERSION|" \
         -e "s|^    olm.skipRange: .*|    olm.skipRange: \"<$VERSION\"|" "$csv"
  ! grep -nE 'ghcr\.io/cephaloproxy/[a-z-]+:[0-9]' "$csv" || { echo "the CSV still references an image by tag (above)"; return 1; }
  check grep -q "^  name: $OLM_PACKAGE.v$VERSION\$" "$csv"
  check grep -q "containerImage: ${REF[operator]}" "$csv"
  check grep -q "^    olm.skipRange: \"<$VERSION\"\$" "$csv"
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

# build_catalog: opm init + render of the pushed bundle (from the registry, by digest) + the channel
# (catalog_graph: this version, after the earlier release's with RELEASE_PREVIOUS); `opm validate`; then the catalog image, tagged SOURCE[operator-catalog].
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
  catalog_graph "$fbc"
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

# catalog_graph FBC: the channel of this release's catalog (FBC: the package's directory of the
# file-based catalog, holding this version's bundle). Without RELEASE_PREVIOUS the channel holds this
# version alone. With RELEASE_PREVIOUS=DIR, an earlier release's record (e.g. dist/0.1.0), the
# catalog keeps that release's bundles (its bundle images by digest, as it published them) and
# channel entries, and this version replaces it: OLM offers Subscriptions on the channel the upgrade
# from the earlier CSV to this one. The entry's skipRange is the CSV's olm.skipRange ("<VERSION").
catalog_graph() {
  local fbc=$1 prev="${RELEASE_PREVIOUS:-}" prev_version="" prev_fbc f
  if [ -n "$prev" ]; then
    prev_version=$(sed -n 's/^VERSION=//p' "$prev/release.env" 2>/dev/null)
    prev_fbc="$prev/catalog/$OLM_PACKAGE"
    [ -n "$prev_version" ] && [ -f "$prev_fbc/channel.yaml" ] \
      || { echo "RELEASE_PREVIOUS=$prev is not a release record with a catalog (release.env with VERSION, catalog/$OLM_PACKAGE/channel.yaml)"; return 1; }
    [ "$prev_version" != "$VERSION" ] && [ "$(printf '%s\n' "$prev_version" "$VERSION" | sort -V | tail -1)" = "$VERSION" ] \
      || { echo "RELEASE_PREVIOUS=$prev is release $prev_version: an upgrade needs an earlier version than $VERSION"; return 1; }
    for f in "$prev_fbc"/*.yaml; do
      case "${f##*/}" in package.yaml|channel.yaml) ;; *) cp "$f" "$fbc/v$prev_version-${f##*/}" ;; esac
    done
  fi
  {
    printf '%s\n' "---" "schema: olm.channel" "package: $OLM_PACKAGE" "name: $OLM_CHANNEL" "entries:"
    [ -z "$prev" ] || sed -n '/^entries:$/,$p' "$prev_fbc/channel.yaml" | tail -n +2
    echo "  - name: $OLM_PACKAGE.v$VERSION"
    [ -z "$prev" ] || echo "    replaces: $OLM_PACKAGE.v$prev_version"
    echo "    skipRange: \"<$VERSION\""
  } >"$fbc/channel.yaml"
  echo "channel $OLM_CHANNEL of the catalog:"; cat "$fbc/channel.yaml"
}

# catalog_replaces FBC: the CSV that this version's channel entry replaces (the last entry of
# catalog_graph's channel), or nothing.
catalog_replaces() {
  sed -n '/^  - name: /{s/.*//;h};/^    replaces: /{s/^    replaces: //;h};${x;p}' "$1/channel.yaml"
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
