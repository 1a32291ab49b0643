#!/usr/bin/env bash
# Builds the node's pod-sandbox image from tests/cluster/pause/pause.c (a static C program) as an
# OCI image archive, without Docker: NODE_DIR/images/pause.tar, tagged $PAUSE_IMAGE.
# Prints the archive path. Idempotent: rebuilds only when the source changed.
set -euo pipefail
source "$(dirname "$0")/env.sh"

src="$REPO_ROOT/tests/cluster/pause/pause.c"
out="$NODE_DIR/images"
archive="$out/pause.tar"
stamp="$out/pause.src.sha256"
want=$( (sha256sum "$src"; echo "$PAUSE_IMAGE") | sha256sum | cut -d' ' -f1)
if [ -f "$archive" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then echo "$archive"; exit 0; fi

command -v gcc >/dev/null || ensure_packages gcc libc6-dev
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs" "$work/oci/blobs/sha256"
gcc -static -Os -Wall -Wextra -Werror -o "$work/rootfs/pause" "$src"
strip "$work/rootfs/pause"
chmod 0755 "$work/rootfs/pause"

# blob FILE: stores FILE under its digest, prints "sha256:<hex> <size>".
blob() {
  local hex size; hex=$(sha256sum "$1" | cut -d' ' -f1); size=$(stat -c %s "$1")
  cp "$1" "$work/oci/blobs/sha256/$hex"; echo "sha256:$hex $size"
}
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/rootfs" -cf "$work/layer.tar" pause
read -r layer_digest layer_size < <(blob "$work/layer.tar")
cat >"$work/config.json" <<EOF
{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/pause"],"User":"65535:65535","WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["$layer_digest"]},"history":[{"created_by":"cephaloproxy scripts/cluster/pause-image.sh"}]}
EOF
read -r config_digest config_size < <(blob "$work/config.json")
cat >"$work/manifest.json" <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"$config_digest","size":$config_size},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"$layer_digest","size":$layer_size}]}
EOF
read -r manifest_digest manifest_size < <(blob "$work/manifest.json")
cat >"$work/oci/index.json" <<EOF
{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$manifest_digest","size":$manifest_size,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"$PAUSE_IMAGE","org.opencontainers.image.ref.name":"${PAUSE_IMAGE##*:}"}}]}
EOF
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/oci/oci-layout"
mkdir -p "$out"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/oci" -cf "$archive.tmp" .
mv "$archive.tmp" "$archive"
echo "$want" >"$stamp"
echo "$archive"
