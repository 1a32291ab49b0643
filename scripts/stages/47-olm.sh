#!/usr/bin/env bash
# OLM v0 for installing the bundle through OLM on the local node: builds OLM v0.33.0 (the olm and catalog
# operators, the packageserver and OLM's utilities) from its Go module, cached by its inputs
# (scripts/olm/build.sh), then its image on the local distroless stand-in with Debian's cp and
# opm v1.56.0 (scripts/olm/image.sh), pushed to the local registry so that the node pulls it.
# scripts/olm/install.sh installs OLM on the node and scripts/olm/uninstall.sh removes it.
# Needs stages 36 (registry), 37 (opm) and 40 (base images). Cold: the Go build (see
# docs/benchmarks.md#olm); warm: a few seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh
ensure_dockerd
start=$SECONDS
olm="$(scripts/olm/build.sh)" || { echo "47-olm: building OLM failed (messages above)" >&2; exit 1; }
version="$("$olm/bin/olm" --version 2>&1 | head -1)"
echo "$version" | grep -q 'v0.33.0' || { echo "47-olm: $olm/bin/olm --version says '$version', not v0.33.0" >&2; exit 1; }
built=$((SECONDS - start))
image="$(scripts/olm/image.sh)" || { echo "47-olm: the OLM image failed (messages above)" >&2; exit 1; }
echo "47-olm: OLM $version built in ${built}s ($olm); image $image ($((SECONDS - start))s in all)"
