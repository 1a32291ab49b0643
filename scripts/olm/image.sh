#!/usr/bin/env bash
# Builds OLM's operator image from the binaries of scripts/olm/build.sh and pushes it to the local
# registry, so that the node pulls it (it reaches no other registry). Prints the pushed reference
# REGISTRY/olm/olm@sha256:... on stdout (nothing else there):
#
#   scripts/olm/image.sh [REGISTRY]     (default: the local registry, scripts/registry/up.sh)
#
# The image stands in for quay.io/operator-framework/olm:v0.33.0 (distroless static:debug with
# busybox' cp), on the distroless stand-in our images use (image/base/build-bases.sh, no shell):
#   /bin/olm, /bin/catalog, /bin/package-server   the olm and catalog operators and the packageserver
#   /bin/cpb, /bin/copy-content                   OLM's utilities (the catalog operator's -util-image)
#   /bin/cp                                       Debian's coreutils cp with its libraries: the bundle
#                                                 unpack Job's init container runs /bin/cp -Rv /bin/cpb
#   /bin/opm                                      operator-registry v1.56.0 (scripts/supply-chain-tool.sh),
#                                                 the catalog operator's -opmImage (`opm alpha bundle extract`)
# Rebuilt only when an input changes (BuildKit's cache); the push is a no-op when the registry has it.
set -euo pipefail
exec 3>&1 1>&2
REPO_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$REPO_ROOT/scripts/registry/env.sh"
DOCKER=/usr/bin/docker
BUILDER="${OLM_BUILDER_IMAGE:-cephaloproxy.local/debian:13-slim}"
BASE="${OLM_BASE_IMAGE:-cephaloproxy.local/distroless-cc:debian13-nonroot}"
fail() { echo "olm/image.sh: $*" >&2; exit 1; }
for i in "$BUILDER" "$BASE"; do
  "$DOCKER" image inspect "$i" >/dev/null 2>&1 || fail "Docker has no base image $i: build the stand-ins first (image/base/build-bases.sh, stage 40)"
done
registry="${1:-$("$REPO_ROOT/scripts/registry/up.sh")}"
olm="$("$REPO_ROOT/scripts/olm/build.sh")"
opm="$("$REPO_ROOT/scripts/supply-chain-tool.sh" opm)"
version=v0.33.0
ctx="$(mktemp -d)"; trap 'rm -rf "$ctx"' EXIT
cp "$olm"/bin/* "$opm" "$ctx/"; mv "$ctx/$(basename "$opm")" "$ctx/opm"
cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $BUILDER AS cp
# Debian's cp and the libraries it links beyond the base's libc, with their dpkg records
RUN mkdir -p /out/usr/bin /out/usr/lib/x86_64-linux-gnu /out/var/lib/dpkg/status.d \\
 && cp /usr/bin/cp /out/usr/bin/cp \\
 && for l in libselinux.so.1 libacl.so.1 libattr.so.1 libpcre2-8.so.0; do cp -L /usr/lib/x86_64-linux-gnu/\$l /out/usr/lib/x86_64-linux-gnu/; done \\
 && for p in coreutils libselinux1 libacl1 libattr1 libpcre2-8-0; do \\
      dpkg-query -W -f='Package: \${Package}\nVersion: \${Version}\nArchitecture: \${Architecture}\nSource: \${source:Package}\nStatus: install ok installed\n' \$p >/out/var/lib/dpkg/status.d/\$p; done
FROM $BASE
LABEL org.opencontainers.image.title="OLM $version (local build)" \\
      org.opencontainers.image.source="https://github.com/operator-framework/operator-lifecycle-manager" \\
      org.opencontainers.image.version="$version" \\
      org.opencontainers.image.base.name="$BASE"
COPY --from=cp /out/ /
COPY olm catalog package-server copy-content cpb opm /bin/
USER 65532:0
# upstream's image works in /: the packageserver finds the certificates OLM mounts at
# /apiserver.local.config/certificates through the relative path apiserver.local.config (from the
# base's /home/nonroot it tries to create them there, on the read-only root file system, and exits)
WORKDIR /
EXPOSE 8080 5443
ENTRYPOINT ["/bin/olm"]
DOCKERFILE
local_tag="cephaloproxy.local/olm:$version"
DOCKER_BUILDKIT=1 "$DOCKER" build -q -t "$local_tag" "$ctx" >/dev/null
# the image runs what it holds, without a shell
"$DOCKER" run --rm --network none --entrypoint /bin/cp "$local_tag" --version | head -1
"$DOCKER" run --rm --network none --entrypoint /bin/opm "$local_tag" version
"$DOCKER" run --rm --network none --entrypoint /bin/olm "$local_tag" --version
! "$DOCKER" run --rm --network none --entrypoint /bin/sh "$local_tag" -c true 2>/dev/null || fail "$local_tag has a shell"
repo="$registry/olm/olm"
"$DOCKER" tag "$local_tag" "$repo:$version"
"$DOCKER" push -q "$repo:$version" >/dev/null
"$DOCKER" rmi "$repo:$version" >/dev/null
digest="$(curl -sSf --max-time 30 --cacert "$REGISTRY_CA" -o /dev/null -D - \
  -H 'Accept: application/vnd.oci.image.manifest.v1+json' -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  -H 'Accept: application/vnd.oci.image.index.v1+json' \
  "https://$registry/v2/olm/olm/manifests/$version" | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *//p')"
[[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "the registry $registry gives no digest for olm/olm:$version"
echo "olm/image.sh: $repo@$digest"
echo "$repo@$digest" >&3
