#!/usr/bin/env bash
# Releases this version into the local registry, as a user would get it (scripts/release.sh): the
# Squid and operator images of stages 40/45 pushed and pinned by digest, the Helm chart pushed to
# oci://<registry>/charts, install.yaml rendered; the record in dist/<version> (dist/current). The
# cluster suite (stage 90, tests/cluster) installs exactly that. Then checks that a failed release
# names its step and log and leaves the previous release current (scripts/tests/release-fails-cleanly.sh).
# The release also publishes SBOMs, signs every image with cosign (SBOMs as signed attestations) and
# pushes the OLM bundle and catalog (docs/supply-chain.md); scripts/tests/signatures.sh and
# olm-refusals.sh and olm-upgrade-graph.sh test those.
# Needs stages 36 (registry), 40 and 45 (images). Cold (empty registry): see docs/benchmarks.md;
# warm (layers already in the registry): ~10 s plus ~15 s for the failure test.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/registry/env.sh
version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)"
start=$SECONDS
address=$(scripts/registry/up.sh)
dir=$(scripts/release.sh "$version" "$address")
release=$((SECONDS - start))
echo "60-release: released $version to $address in ${release}s: $dir"
sed -n 's/^\(CHART\|OPERATOR_IMAGE\|SQUID_IMAGE\|BUNDLE_IMAGE\|CATALOG_IMAGE\)=/  \1=/p' "$dir/release.env"
scripts/tests/release-fails-cleanly.sh
# signatures fail for a moved tag, a copied signature, an unsigned image, the wrong key (docs/supply-chain.md)
scripts/tests/signatures.sh "$dir"
# a CSV or catalog opm refuses fails the release's step with opm's message
scripts/tests/olm-refusals.sh
# the catalog carries the upgrade graph from the release RELEASE_PREVIOUS names
scripts/tests/olm-upgrade-graph.sh
