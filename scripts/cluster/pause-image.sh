#!/usr/bin/env bash
# Builds the node's pod-sandbox image from tests/cluster/pause/pause.c (a static C program) as an
# OCI image archive, without Docker: NODE_DIR/images/pause.tar, tagged $PAUSE_IMAGE.
# Prints the archive path. Idempotent: rebuilds only when the source changed.
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$CLUSTER_SCRIPTS/oci.sh"

src="$REPO_ROOT/tests/cluster/pause/pause.c"
archive="$NODE_DIR/images/pause.tar"
stamp="$archive.source"
want=$(cat "$src" "$CLUSTER_SCRIPTS/oci.sh" <(echo "$PAUSE_IMAGE") | sha256sum | cut -d' ' -f1)
if [ -f "$archive" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then echo "$archive"; exit 0; fi

command -v gcc >/dev/null || ensure_packages gcc libc6-dev
rootfs=$(mktemp -d); trap 'rm -rf "$rootfs"' EXIT
gcc -static -Os -Wall -Wextra -Werror -o "$rootfs/pause" "$src"
strip "$rootfs/pause"
chmod 0755 "$rootfs/pause"
oci_archive "$PAUSE_IMAGE" "$archive" 65535:65535 "$rootfs" /pause
echo "$want" >"$stamp"
echo "$archive"
