#!/usr/bin/env bash
# Builds local stand-ins for the two base images of image/Dockerfile, for machines that cannot pull
# from a container registry:
#
#   cephaloproxy.local/debian:13-slim                  builder (stands in for debian:13-slim):
#                                                      `debootstrap --variant=minbase trixie`,
#                                                      sources for trixie, trixie-updates, trixie-security
#   cephaloproxy.local/distroless-cc:debian13-nonroot  runtime (stands in for
#                                                      gcr.io/distroless/cc-debian13:nonroot): Debian 13
#                                                      .debs unpacked without maintainer scripts, users
#                                                      root/nobody/nonroot(65532), USER 65532
#
# Idempotent: each image carries the label io.cephaloproxy.recipe=<hash of this script>; an image
# whose tag exists with the same hash is not rebuilt. FORCE=1 rebuilds both.
#
# The Debian mirrors are read from the host's apt configuration at run time (override with
# DEBIAN_MIRROR / DEBIAN_SECURITY_MIRROR). The host's /etc/apt is never modified: the runtime base
# is downloaded with a private APT_CONFIG.
#
# Needs: root (debootstrap), docker, debootstrap, apt-get, dpkg-deb, the Debian archive keyring.
set -euo pipefail

BUILDER_TAG="${BUILDER_TAG:-cephaloproxy.local/debian:13-slim}"
RUNTIME_TAG="${RUNTIME_TAG:-cephaloproxy.local/distroless-cc:debian13-nonroot}"
SUITE=trixie
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# The runtime base's packages (what distroless cc-debian13 holds, plus media-types for mime lookups).
RUNTIME_PACKAGES=(base-files ca-certificates gcc-14-base libc6 libgcc-s1 libgomp1 libssl3t64
  libstdc++6 libzstd1 media-types netbase tzdata tzdata-legacy zlib1g)

DOCKER="${DOCKER:-docker}"
RECIPE_HASH="$(sha256sum "$0" | cut -c1-16)"
log() { echo "[build-bases] $*" >&2; }
die() { echo "[build-bases] ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap needs it)"
for tool in debootstrap apt-get dpkg-deb "$DOCKER"; do
  command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[ -r "$KEYRING" ] || die "$KEYRING missing (install debian-archive-keyring)"
"$DOCKER" info >/dev/null 2>&1 || die "no Docker engine answers (start dockerd)"

# up_to_date TAG: true when TAG exists and was built from this recipe.
up_to_date() {
  local label
  label="$("$DOCKER" image inspect -f '{{ index .Config.Labels "io.cephaloproxy.recipe" }}' "$1" 2>/dev/null)" || return 1
  [ "$label" = "$RECIPE_HASH" ] && [ "${FORCE:-0}" != 1 ]
}

# host_uris: every URI of an enabled deb source in the host's apt configuration, one per line.
host_uris() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    awk '$1=="deb" { for (i=2;i<=NF;i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; break } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    awk 'BEGIN{RS=""; IGNORECASE=1}
         /(^|\n)Enabled:[ \t]*no/ {next}
         { n=split($0, l, "\n"); for (i=1;i<=n;i++) if (l[i] ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", l[i]); split(l[i], u, /[ \t]+/); print u[1] } }' "$f"
  done
}

pick_mirrors() {
  local uris
  uris="$(host_uris | sed 's:/*$::')"
  if [ -z "${DEBIAN_MIRROR:-}" ]; then
    DEBIAN_MIRROR="$(grep -E '/debian$' <<<"$uris" | head -1 || true)"
  fi
  if [ -z "${DEBIAN_SECURITY_MIRROR:-}" ]; then
    DEBIAN_SECURITY_MIRROR="$(grep -E '/debian-security$' <<<"$uris" | head -1 || true)"
  fi
  [ -n "$DEBIAN_MIRROR" ] || die "no Debian mirror (a URI ending in /debian) in /etc/apt; set DEBIAN_MIRROR"
  [ -n "$DEBIAN_SECURITY_MIRROR" ] || die "no security mirror (a URI ending in /debian-security) in /etc/apt; set DEBIAN_SECURITY_MIRROR"
  log "mirrors from the host's apt config: $DEBIAN_MIRROR, $DEBIAN_SECURITY_MIRROR"
}

# write_sources FILE: deb822 sources for trixie, trixie-updates and trixie-security.
write_sources() {
  cat >"$1" <<EOF
Types: deb
URIs: $DEBIAN_MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: $KEYRING

Types: deb
URIs: $DEBIAN_SECURITY_MIRROR
Suites: $SUITE-security
Components: main
Signed-By: $KEYRING
EOF
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cephaloproxy-bases.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

build_builder() {
  local root="$WORK/builder"
  log "debootstrap --variant=minbase $SUITE (about a minute)"
  debootstrap --variant=minbase "$SUITE" "$root" "$DEBIAN_MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -30 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
  rm -f "$root/etc/apt/sources.list"
  write_sources "$root/etc/apt/sources.list.d/debian.sources"
  # What the official slim image configures: no docs, man pages or translations; no recommends;
  # apt cleans its caches.
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
EOF
  echo 'APT::Install-Recommends "false";' >"$root/etc/apt/apt.conf.d/docker-no-recommends"
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
    "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log \
    "$root"/dev/* "$root"/proc/* "$root"/sys/*
  log "importing $BUILDER_TAG"
  tar --numeric-owner -C "$root" -c . | "$DOCKER" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --change "LABEL io.cephaloproxy.recipe=$RECIPE_HASH" \
    --change "LABEL org.opencontainers.image.description=\"Local stand-in for debian:13-slim (debootstrap minbase $SUITE)\"" \
    - "$BUILDER_TAG" >/dev/null
}

build_runtime() {
  local apt="$WORK/apt" root="$WORK/runtime" debs="$WORK/debs" p deb name
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/etc/apt.conf.d" \
    "$apt/etc/preferences.d" "$apt/etc/sources.list.d" "$debs" "$root"
  write_sources "$apt/etc/sources.list.d/debian.sources"
  : >"$apt/status"
  cat >"$apt/apt.conf" <<EOF
Dir::State "$apt";
Dir::State::Lists "$apt/lists";
Dir::State::status "$apt/status";
Dir::Cache "$apt/cache";
Dir::Etc "$apt/etc";
Dir::Etc::SourceList "$apt/etc/sources.list";
Dir::Etc::SourceParts "$apt/etc/sources.list.d";
Dir::Etc::Parts "$apt/etc/apt.conf.d";
Dir::Etc::PreferencesParts "$apt/etc/preferences.d";
APT::Architecture "amd64";
APT::Update::Error-Mode "any";
EOF
  : >"$apt/etc/sources.list"
  log "downloading ${#RUNTIME_PACKAGES[@]} Debian 13 packages with a private APT_CONFIG"
  APT_CONFIG="$apt/apt.conf" apt-get update -qq >"$WORK/apt.log" 2>&1 \
    || { cat "$WORK/apt.log" >&2; die "apt-get update (trixie) failed"; }
  (cd "$debs" && APT_CONFIG="$apt/apt.conf" apt-get download -qq "${RUNTIME_PACKAGES[@]}" >>"$WORK/apt.log" 2>&1) \
    || { cat "$WORK/apt.log" >&2; die "apt-get download failed"; }
  mkdir -p "$root/var/lib/dpkg/status.d"
  for deb in "$debs"/*.deb; do
    dpkg-deb -x "$deb" "$root"
    name="$(dpkg-deb -f "$deb" Package)"
    # One status file per package, as distroless images have, so scanners see what is installed.
    { dpkg-deb -f "$deb" Package Version Architecture Source Maintainer; echo "Status: install ok installed"; } \
      >"$root/var/lib/dpkg/status.d/$name"
  done
  for p in "${RUNTIME_PACKAGES[@]}"; do
    [ -f "$root/var/lib/dpkg/status.d/$p" ] || die "package $p was not downloaded"
  done
  # Merged /usr, as Debian 13 has it (the base-files/libc6 .debs ship the /usr paths).
  for p in bin sbin lib lib64; do
    [ -e "$root/$p" ] || ln -s "usr/$p" "$root/$p"
  done
  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
  cat >"$root/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
EOF
  cat >"$root/etc/nsswitch.conf" <<'EOF'
passwd:         files
group:          files
shadow:         files
hosts:          files dns
networks:       files
protocols:      files
services:       files
ethers:         files
rpc:            files
EOF
  mkdir -p "$root/etc/ssl/certs" "$root/root" "$root/home/nonroot" "$root/tmp"
  cat "$root"/usr/share/ca-certificates/mozilla/*.crt >"$root/etc/ssl/certs/ca-certificates.crt"
  chmod 1777 "$root/tmp"
  chmod 700 "$root/root"
  chown 65532:65532 "$root/home/nonroot"
  rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/lintian "$root"/usr/share/locale
  log "importing $RUNTIME_TAG"
  tar --numeric-owner -C "$root" -c . | "$DOCKER" import \
    --change 'USER 65532' \
    --change 'WORKDIR /home/nonroot' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL io.cephaloproxy.recipe=$RECIPE_HASH" \
    --change "LABEL org.opencontainers.image.description=\"Local stand-in for gcr.io/distroless/cc-debian13:nonroot\"" \
    - "$RUNTIME_TAG" >/dev/null
}

need_builder=1 need_runtime=1
up_to_date "$BUILDER_TAG" && need_builder=0 && log "$BUILDER_TAG is up to date (recipe $RECIPE_HASH)"
up_to_date "$RUNTIME_TAG" && need_runtime=0 && log "$RUNTIME_TAG is up to date (recipe $RECIPE_HASH)"
[ $need_builder = 0 ] && [ $need_runtime = 0 ] && exit 0
pick_mirrors
start=$SECONDS
[ $need_runtime = 1 ] && build_runtime
[ $need_builder = 1 ] && build_builder
log "done in $((SECONDS - start)) s: $BUILDER_TAG, $RUNTIME_TAG"
