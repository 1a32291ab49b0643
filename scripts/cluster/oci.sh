# oci_archive IMAGE TAR USER ROOTFS ENTRYPOINT...: packs the directory ROOTFS as the single layer
# of an OCI image named IMAGE (run as USER, e.g. 65532:0) into the archive TAR, which
# `ctr images import` accepts. No Docker needed; the archive is reproducible (fixed mtimes/owners).
oci_archive() {
  local image=$1 archive=$2 user=$3 rootfs=$4; shift 4
  local work entrypoint="" arg
  for arg in "$@"; do entrypoint+="${entrypoint:+,}\"$arg\""; done
  work=$(mktemp -d)
  mkdir -p "$work/oci/blobs/sha256"
  _oci_blob() { # FILE -> "sha256:<hex> <size>"
    local hex size; hex=$(sha256sum "$1" | cut -d' ' -f1); size=$(stat -c %s "$1")
    cp "$1" "$work/oci/blobs/sha256/$hex"; echo "sha256:$hex $size"
  }
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$work/layer.tar" .
  local layer_digest layer_size config_digest config_size manifest_digest manifest_size
  read -r layer_digest layer_size < <(_oci_blob "$work/layer.tar")
  cat >"$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Entrypoint":[$entrypoint],"User":"$user","WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["$layer_digest"]},"history":[{"created_by":"cephaloproxy scripts/cluster/oci.sh"}]}
JSON
  read -r config_digest config_size < <(_oci_blob "$work/config.json")
  cat >"$work/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"$config_digest","size":$config_size},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"$layer_digest","size":$layer_size}]}
JSON
  read -r manifest_digest manifest_size < <(_oci_blob "$work/manifest.json")
  cat >"$work/oci/index.json" <<JSON
{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$manifest_digest","size":$manifest_size,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"$image","org.opencontainers.image.ref.name":"${image##*:}"}}]}
JSON
  echo '{"imageLayoutVersion":"1.0.0"}' >"$work/oci/oci-layout"
  mkdir -p "$(dirname "$archive")"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/oci" -cf "$archive.tmp" .
  mv "$archive.tmp" "$archive"
  rm -rf "$work"
}
