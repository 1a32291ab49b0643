#!/usr/bin/env bash
# Builds the images of Argo CD for the cluster suite's GitOps test (ArgoCdE2E) and imports them into
# the node's containerd; no registry, no Docker, no shell in either image. Prints on stdout
#   ARGOCD_IMAGE=<name>   Argo CD v3.1.9 (application-controller, repo-server: this module's
#                         cmd/argocd, built from Go modules by scripts/build-go-tool.sh and cached),
#                         Helm (scripts/get-helm.sh: the repo-server renders charts with it) and Git
#                         with its libraries from Debian packages (the repo-server fetches with it;
#                         the suite's Git server runs its `git daemon`); user 999
#   REDIS_IMAGE=<name>    redis-server and its libraries from Debian packages; user 999
#   ARGOCD_CRDS=<dir>     Argo CD's CRDs (manifests/crds of the argo-cd module in the Go module cache)
# and nothing else there. The packages are the host's Debian release's (apt-get download, unpacked
# without maintainer scripts, like image/base's runtime base); every ELF file's libraries are
# checked to be in the image. Idempotent: an image is named by the hash of what it is made of and
# imported once. Cold: the Go build of Argo CD (see docs/benchmarks.md); warm: a few seconds.
set -euo pipefail
exec 3>&1 1>&2
export PATH="$PATH:/usr/local/go/bin"
source "$(cd "$(dirname "$0")/../../../scripts/cluster" && pwd)/env.sh"
source "$CLUSTER_SCRIPTS/oci.sh"
LOG_TAG=argocd-images
running containerd || die "the node's containerd is not running: run scripts/cluster/up.sh first"
for tool in apt-get dpkg-deb readelf; do
  command -v "$tool" >/dev/null || die "'$tool' is required (apt-get install ${tool/readelf/binutils})"
done
cache="${CEPHALOPROXY_CACHE:-/var/cache/cephaloproxy}/argocd-images"
mkdir -p "$cache/debs"

argocd_bin=$("$REPO_ROOT/scripts/build-go-tool.sh" argocd "$REPO_ROOT/tests/cluster/argocd" ./cmd/argocd)
helm_bin=$("$REPO_ROOT/scripts/get-helm.sh")

# The packages of each image, by name (the libraries their ELF files need; checked below).
GIT_PACKAGES=(libc6 libpcre2-8-0 zlib1g git)
REDIS_PACKAGES=(libc6 libgcc-s1 libstdc++6 libatomic1 libjemalloc2 liblzf1 libssl3 libsystemd0 libcap2 libgcrypt20
  libgpg-error0 liblz4-1 liblzma5 libzstd1 redis-tools redis-server)

# debs ARRAY NAME...: sets ARRAY to the .deb files of the packages' candidate versions, downloaded
# once into the cache (one directory per package and version)
debs() {
  local -n out=$1; shift
  local pkg version dir
  out=()
  for pkg in "$@"; do
    version=$(apt-cache policy "$pkg" | sed -n 's/^  Candidate: //p')
    [ -n "$version" ] && [ "$version" != "(none)" ] || die "no candidate version of the Debian package $pkg (apt-get update?)"
    dir="$cache/debs/$pkg/$version"
    if ! ls "$dir"/*.deb >/dev/null 2>&1; then
      mkdir -p "$dir"
      (cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$version" >&2) || die "apt-get download $pkg=$version failed"
    fi
    out+=("$(ls "$dir"/*.deb | head -1)")
  done
}

# rootfs DIR DEB...: unpacks the packages (no maintainer scripts), drops documentation, adds the users
rootfs() {
  local dir=$1 deb; shift
  for deb in "$@"; do dpkg-deb -x "$deb" "$dir"; done
  # (and glibc's iconv modules: nothing here converts character sets)
  rm -rf "$dir"/usr/share/{doc,man,info,lintian,bug} "$dir"/etc/init.d "$dir"/etc/logrotate.d "$dir"/lib/systemd \
    "$dir"/usr/lib/systemd "$dir"/usr/lib/x86_64-linux-gnu/gconv
  mkdir -p "$dir/etc" "$dir/tmp" "$dir/home/argocd"
  chmod 1777 "$dir/tmp"; chown 999:999 "$dir/home/argocd"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nargocd:x:999:999:argocd:/home/argocd:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nargocd:x:999:\nnogroup:x:65534:\n' >"$dir/etc/group"
  printf 'hosts: files dns\n' >"$dir/etc/nsswitch.conf"
}

# check_image DIR: no shell, and every library an ELF file (program or library) needs is in DIR
check_image() {
  local dir=$1 f lib missing=""
  for f in bin/sh bin/bash bin/dash usr/bin/sh usr/bin/bash usr/bin/dash; do
    [ ! -e "$dir/$f" ] && [ ! -L "$dir/$f" ] || die "$dir has a shell: /$f"
  done
  while IFS= read -r f; do
    for lib in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
      [ -e "$dir/lib/x86_64-linux-gnu/$lib" ] || [ -e "$dir/usr/lib/x86_64-linux-gnu/$lib" ] || [ -e "$dir/lib64/$lib" ] \
        || missing+=" ${f#"$dir"}:$lib"
    done
  done < <(find "$dir" -type f \( -perm -u+x -o -name '*.so' -o -name '*.so.*' \) -print)
  [ -z "$missing" ] || die "libraries missing from the image:$missing"
}

# image NAME TAG-PREFIX ROOTFS-BUILDER...: builds the image in a temporary root, imports it once; prints its name
build_image() {
  local name=$1 id=$2 builder=$3 image archive stamp dir
  image="localhost/cephaloproxy/$name:$id"
  archive="$cache/$name-$id.tar"
  if [ ! -f "$archive" ]; then
    log "building $image"
    dir=$(mktemp -d)
    "$builder" "$dir"
    check_image "$dir"
    oci_archive "$image" "$archive" 999:999 "$dir" "${ENTRYPOINT[@]}"
    rm -rf "$dir"
  fi
  if [ "$(ctr_node images ls -q "name==$image")" != "$image" ]; then
    log "importing $image"
    ctr_node images import "$archive" >/dev/null
    [ "$(ctr_node images ls -q "name==$image")" = "$image" ] || die "$image is not in containerd after the import"
  fi
  echo "$image"
}

debs git_debs "${GIT_PACKAGES[@]}"
debs redis_debs "${REDIS_PACKAGES[@]}"

argocd_root() {
  rootfs "$1" "${git_debs[@]}"
  # Git's Perl and Tcl parts are of no use without their interpreters; its HTTP(S), FTP and IMAP
  # helpers would need libcurl and a few dozen libraries more: the suite's repository is served by
  # `git daemon` (git://), which the git binary itself speaks
  rm -rf "$1"/usr/share/perl5 "$1"/usr/share/gitweb "$1"/usr/share/git-core/templates/hooks \
    "$1"/usr/lib/git-core/git-remote-{http,https,ftp,ftps} "$1"/usr/lib/git-core/git-http-{fetch,push} \
    "$1"/usr/lib/git-core/git-imap-send
  install -D -m 0755 "$argocd_bin" "$1/usr/local/bin/argocd"
  install -D -m 0755 "$helm_bin" "$1/usr/local/bin/helm"
}
redis_root() {
  rootfs "$1" "${redis_debs[@]}"
}

key() { { cat "$0" "$CLUSTER_SCRIPTS/oci.sh"; sha256sum "$@" | cut -d" " -f1; } | sha256sum | cut -c1-16; }
ENTRYPOINT=(/usr/local/bin/argocd)
argocd_image=$(build_image argocd "v3.1.9-$(key "$argocd_bin" "$helm_bin" "${git_debs[@]}")" argocd_root)
ENTRYPOINT=(/usr/bin/redis-server)
redis_image=$(build_image argocd-redis "$(key "${redis_debs[@]}")" redis_root)
crds="$(cd "$REPO_ROOT/tests/cluster/argocd" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download -json github.com/argoproj/argo-cd/v3 | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')/manifests/crds"
[ -f "$crds/application-crd.yaml" ] || die "Argo CD's CRDs are not at $crds"
echo "ARGOCD_IMAGE=$argocd_image" >&3
echo "REDIS_IMAGE=$redis_image" >&3
echo "ARGOCD_CRDS=$crds" >&3
