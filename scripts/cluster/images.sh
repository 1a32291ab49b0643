#!/usr/bin/env bash
# Puts the node's own test images into its containerd (namespace k8s.io), idempotently: built here
# without Docker, from tests/cluster (Go, static), the cluster DNS ($COREDNS_IMAGE) and the
# end-to-end origin server ($ORIGIN_IMAGE); from Debian's busybox-static, the stand-in for the
# busybox image of the kubectl debug recipe ($DEBUG_IMAGE). An image already imported with the same content is skipped.
# CephaloProxy's own images are not imported: the kubelet pulls them by digest from the local registry
# (scripts/registry/up.sh), where scripts/release.sh pushed them.
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$CLUSTER_SCRIPTS/oci.sh"
running containerd || die "the node's containerd is not running: run scripts/cluster/up.sh first"

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


# busybox_image IMAGE: Debian's statically linked busybox (package busybox-static) with the applets
# the debug recipe uses, as root like the busybox image it stands in for (the recipe sets the UID).
busybox_image() {
  local image=$1 archive="$NODE_DIR/images/debug-busybox.tar" version source_id
  version=$(apt-cache policy busybox-static | awk '/Candidate:/ {print $2}')
  [ -n "$version" ] && [ "$version" != "(none)" ] || die "apt knows no busybox-static package (apt-get update?)"
  source_id=$({ echo "busybox-static $version $image"; cat "$CLUSTER_SCRIPTS/oci.sh"; declare -f busybox_image; } | sha256sum | cut -d' ' -f1)
  if [ ! -f "$archive" ] || [ "$(cat "$archive.source" 2>/dev/null)" != "$source_id" ]; then
    log "building $image from busybox-static $version"
    local work; work=$(mktemp -d)
    (cd "$work" && apt-get download -qq -o APT::Sandbox::User=root "busybox-static=$version") >&2 || { rm -rf "$work"; die "apt-get download busybox-static failed"; }
    dpkg-deb -x "$work"/busybox-static_*.deb "$work/deb"
    mkdir -p "$work/rootfs/bin" "$work/rootfs/tmp"
    chmod 1777 "$work/rootfs/tmp"
    cp "$work/deb/bin/busybox" "$work/rootfs/bin/busybox"
    local applet
    for applet in sh ls cat head wget; do ln -s busybox "$work/rootfs/bin/$applet"; done
    oci_archive "$image" "$archive" "" "$work/rootfs" /bin/sh
    rm -rf "$work"
    echo "$source_id" >"$archive.source"
  fi
  import_once debug-busybox "$source_id" "$image" ctr_node images import "$archive"
}

busybox_image "$DEBUG_IMAGE"
