#!/usr/bin/env bash
# Builds what the Docker suite (tests/image) runs: the local base stand-ins (image/base/build-bases.sh)
# and the Squid image ghcr.io/cephaloproxy/squid:<version> from image/Dockerfile.
# Idempotent: the bases are rebuilt only when their recipe changes; the image build is cached by
# BuildKit. Cold (no bases, empty cache) about 3-4 minutes on 2 cores; warm about 5 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh
ensure_packages debootstrap debian-archive-keyring
ensure_dockerd
docker=/usr/bin/docker   # Debian's client: BuildKit works with it (the /usr/local/bin one may lack buildx)
[ -x "$docker" ] || { echo "40-images: $docker missing (package docker.io)" >&2; exit 1; }
[ -f image/config/squid.conf ] && [ -f image/config/runtime.properties ] || {
  echo "40-images: image/config/{squid.conf,runtime.properties} (the compiled default config) are missing" >&2; exit 1; }
version="$(project_version)"
image="ghcr.io/cephaloproxy/squid:$version"

start=$SECONDS
DOCKER="$docker" bash image/base/build-bases.sh
bases=$((SECONDS - start))
start=$SECONDS
if ! DOCKER_BUILDKIT=1 "$docker" build --network host --progress plain \
    --build-arg BUILDER_IMAGE=cephaloproxy.local/debian:13-slim \
    --build-arg RUNTIME_IMAGE=cephaloproxy.local/distroless-cc:debian13-nonroot \
    --build-arg VERSION="$version" \
    -t "$image" image/ >/tmp/cephaloproxy-image-build.log 2>&1; then
  tail -60 /tmp/cephaloproxy-image-build.log >&2
  echo "40-images: docker build failed (full log: /tmp/cephaloproxy-image-build.log)" >&2
  exit 1
fi
build=$((SECONDS - start))
size="$("$docker" image inspect -f '{{.Size}}' "$image")"
cid="$("$docker" create "$image")"
files="$("$docker" export "$cid" | tar -tv | grep -vc '^d')"
"$docker" rm "$cid" >/dev/null
echo "40-images: benchmark: bases ${bases}s, image build ${build}s, $image $((size / 1000000)) MB ($size bytes), $files files and links"
