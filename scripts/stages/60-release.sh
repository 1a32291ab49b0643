#!/usr/bin/env bash
# Releases this version into the local registry, as a user would get it (scripts/release.sh): the
# Squid and operator images of stages 40/45 pushed and pinned by digest, the Helm chart pushed to
# oci://<registry>/charts, install.yaml rendered; the record in dist/<version> (dist/current). The
# cluster suite (stage 90, tests/cluster) installs exactly that. The release also publishes SBOMs, signs
# every image with cosign (SBOMs as signed attestations) and pushes the OLM bundle and catalog
# (docs/supply-chain.md). The tests of the release command (scripts/tests/release-checks.sh: a failed
# release names its step and leaves the previous one current, signatures, opm's refusals, the upgrade
# graph) run in stage 90, in a lane beside the suites.
# Needs stages 36 (registry), 40 and 45 (images). Cold (empty registry): see docs/benchmarks.md;
# warm (layers already in the registry): ~10 s.
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
