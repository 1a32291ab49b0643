#!/bin/bash
# Runs in the Dockerfile's `rootfs` stage (a Debian 13 builder with squid-openssl and the jlinked
# JRE installed): collects everything the shell-less runtime image adds to its base into /out.
#   $HELPERS  compiled Squid helpers to ship (scripts are refused)
#   /base     the runtime base image, bind-mounted read-only: a shared library is copied only
#             when ldd resolves it to a path the base does not have.
set -euo pipefail
out=/out
die() { echo "assemble-rootfs: $*" >&2; exit 1; }
[ -d /base/usr ] || die "runtime base not mounted at /base"
mkdir -p "$out/usr/sbin" "$out/usr/lib/squid" "$out/usr/share/squid/errors" "$out/etc/squid" \
  "$out/usr/lib/locale" "$out/usr/lib/x86_64-linux-gnu" "$out/opt/cephaloproxy"

# Squid: /usr/sbin/squid is an alternatives symlink; ship the real binary under the plain name.
real="$(readlink -f /usr/sbin/squid)"
[ "$(basename "$real")" = squid-openssl ] || die "/usr/sbin/squid resolves to $real, not squid-openssl"
install -m 0755 "$real" "$out/usr/sbin/squid"
for h in $HELPERS; do
  f="/usr/lib/squid/$h"
  [ -f "$f" ] || die "helper $h not found in /usr/lib/squid"
  [ "$(head -c4 "$f" | tail -c3)" = ELF ] || die "helper $h is a script; only compiled helpers are shipped"
  install -m 0755 "$f" "$out/usr/lib/squid/$h"
done

# Error pages: the templates (Squid's fallback) and English; the other 8 MB of translations are
# left out. errorpage.css is read from /etc/squid by default.
cp -rL /usr/share/squid-langpack/templates /usr/share/squid-langpack/en "$out/usr/share/squid/errors/"
ln -s en "$out/usr/share/squid/errors/English"
cp -L /etc/squid/errorpage.css "$out/etc/squid/errorpage.css"
cp /usr/share/squid/mime.conf "$out/usr/share/squid/mime.conf"
cp -r /usr/share/squid/icons "$out/usr/share/squid/icons"

# OpenSSL's default verify locations (OPENSSLDIR /usr/lib/ssl), as Debian's openssl package links
# them: Squid verifies origins against the system bundle when squid.conf names no cafile.
mkdir -p "$out/usr/lib/ssl"
ln -s /etc/ssl/certs/ca-certificates.crt "$out/usr/lib/ssl/cert.pem"
ln -s /etc/ssl/certs "$out/usr/lib/ssl/certs"

# C.UTF-8 locale (libc-bin ships it; the runtime base has only libc6).
cp -a /usr/lib/locale/C.utf8 "$out/usr/lib/locale/"

# The JRE and the program.
cp -a /opt/java "$out/opt/java"
cp /opt/cephaloproxy/agent.jar /opt/cephaloproxy/classes.lst "$out/opt/cephaloproxy/"

# Shared libraries: exactly those ldd resolves to paths missing from the base.
elfs=("$out/usr/sbin/squid" "$out"/usr/lib/squid/*)
while IFS= read -r f; do elfs+=("$f"); done < <(find "$out/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \))
: >/tmp/libs
for f in "${elfs[@]}"; do
  deps="$(LD_LIBRARY_PATH="$out/opt/java/lib:$out/opt/java/lib/server" ldd "$f")" || die "ldd $f failed"
  if grep -q 'not found' <<<"$deps"; then die "$f: $(grep 'not found' <<<"$deps")"; fi
  awk '$2 == "=>" && $3 ~ /^\// { print $3 }' <<<"$deps" >>/tmp/libs
done
sort -u /tmp/libs | while IFS= read -r lib; do
  case "$lib" in "$out"/*) continue ;; esac          # the JRE's own libraries
  [ -e "/base$lib" ] || [ -e "/base/usr$lib" ] && continue
  cp -L "$lib" "$out/usr/lib/x86_64-linux-gnu/$(basename "$lib")"
  echo "added library $(basename "$lib")"
done

# The image's user (65532) has primary group 0 in /etc/passwd. A kubelet passes only the image's UID
# to the container runtime (no group), and containerd/CRI-O then take the GID from /etc/passwd: with
# the base's 65532:65532 the pod would run without group 0 and could not read Secret files (root:root,
# mode 0440) nor write the group-0 paths. Arbitrary UIDs (OpenShift) are not in /etc/passwd and get
# GID 0 from the runtime anyway.
mkdir -p "$out/etc"
awk -F: -v OFS=: '$3 == 65532 { $4 = 0; found = 1 } { print } END { if (!found) print "nonroot:x:65532:0:nonroot:/home/nonroot:/sbin/nologin" }' \
  /base/etc/passwd >"$out/etc/passwd"
chmod 0644 "$out/etc/passwd"
grep -q '^[^:]*:[^:]*:65532:0:' "$out/etc/passwd" || die "could not give UID 65532 the primary group 0 in /etc/passwd"

# Writable paths, group 0 writable so any UID with GID 0 can use them (copied with --chown 65532:0).
# Each is copied as a subdirectory (COPY keeps a copied directory's mode, not the target's).
mkdir -p /writable/run/squid /writable/lib/squid /writable/cache/squid
chmod 0775 /writable/run/squid /writable/lib/squid /writable/cache/squid
echo "assemble-rootfs: $(find "$out" -type f | wc -l) files, $(du -sh "$out" | cut -f1)"
