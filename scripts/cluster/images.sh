#!/usr/bin/env bash
# Puts every image the node runs into its containerd (namespace k8s.io), idempotently:
#  - built here without Docker, from tests/cluster (Go, static): the cluster DNS
#    ($COREDNS_IMAGE) and the end-to-end origin server ($ORIGIN_IMAGE);
#  - built with Docker by the image stages: each IMAGE given as argument (default: the Squid and
#    operator images of this version), copied with `docker save | ctr images import`.
# An image already imported with the same content is skipped. A missing Docker image fails.
# `images.sh --node` imports only the images built here (up.sh uses it for the cluster DNS).
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$CLUSTER_SCRIPTS/oci.sh"
running containerd || die "the node's containerd is not running: run scripts/cluster/up.sh first"
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$REPO_ROOT/pom.xml" | head -1)
node_only=
if [ "${1:-}" = --node ]; then node_only=1; shift; fi
docker_images=("$@")
[ -n "$node_only" ] || [ ${#docker_images[@]} -gt 0 ] || docker_images=("ghcr.io/cephaloproxy/squid:$version" "ghcr.io/cephaloproxy/operator:$version")

# import_once KEY CONTENT-ID IMAGE CMD...: runs the import CMD unless KEY was imported with CONTENT-ID
# and IMAGE is still in containerd.
import_once() {
  local key=$1 id=$2 image=$3; shift 3
  local stamp="$NODE_DIR/images/$key.imported"
  if [ "$(cat "$stamp" 2>/dev/null)" = "$id" ] && [ "$(ctr_node images ls -q "name==$image")" = "$image" ]; then return 0; fi
  log "importing $image"
  "$@"
  [ "$(ctr_node images ls -q "name==$image")" = "$image" ] || die "$image is not in containerd after the import"
  mkdir -p "$NODE_DIR/images"; echo "$id" >"$stamp"
}

# go_image NAME IMAGE MODULE-DIR BINARY: a static Go binary as the only file of an image.
go_image() {
  local name=$1 image=$2 module=$3 binary=$4
  local archive="$NODE_DIR/images/$name.tar" source_id
  source_id=$(cd "$module" && { find . -maxdepth 1 \( -name 'go.*' -o -name '*.go' \) -print0 | sort -z | xargs -0 cat; cat "$CLUSTER_SCRIPTS/oci.sh"; echo "$image"; } | sha256sum | cut -d' ' -f1)
  if [ ! -f "$archive" ] || [ "$(cat "$archive.source" 2>/dev/null)" != "$source_id" ]; then
    log "building $image from ${module#"$REPO_ROOT"/} (go build)"
    local rootfs; rootfs=$(mktemp -d)
    (cd "$module" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$rootfs/$binary" .)
    oci_archive "$image" "$archive" 65532:0 "$rootfs" "/$binary"
    rm -rf "$rootfs"
    echo "$source_id" >"$archive.source"
  fi
  import_once "$name" "$source_id" "$image" ctr_node images import "$archive"
}

go_image coredns "$COREDNS_IMAGE" "$REPO_ROOT/tests/cluster/coredns" coredns
go_image e2e-origin "$ORIGIN_IMAGE" "$REPO_ROOT/tests/cluster/origin" origin

for image in ${docker_images[@]+"${docker_images[@]}"}; do
  id=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null) \
    || die "Docker has no image $image: build it first (scripts/stages/40-images.sh and the operator image)"
  import_once "docker-$(echo "$image" | tr '/:' '__')" "$id" "$image" \
    bash -c "docker save '$image' | ctr --address '$CONTAINERD_SOCK' --namespace k8s.io images import -"
done
