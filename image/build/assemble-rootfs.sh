#!/bin/bash
# Runs in the Dockerfile's `rootfs` stage (a Debian 13 builder with squid-openssl and the jlinked
# JRE installed): collects everything the shell-less runtime image adds to its base into /out, and
# records the Debian packages those files come from the way distroless images do, so that image
# scanners (Trivy, Grype, syft) see Squid, its libraries and the JRE:
#   /var/lib/dpkg/status.d/<package>          the package's dpkg status entry (exact Debian version)
#   /var/lib/dpkg/status.d/<package>.md5sums  md5 of each file of that package the image ships
#   /usr/share/doc/<package>/copyright        its licence
#   $HELPERS  compiled Squid helpers to ship (scripts are refused)
#   /base     the runtime base image, bind-mounted read-only: a shared library is copied only
#             when ldd resolves it to a path the base does not have.
# Every file copied from a package goes through `ship`/`ship_tree`, which note its source; a file in
# /out that neither came from a package nor is listed in `own_files` fails the build.
set -euo pipefail
out=/out
die() { echo "assemble-rootfs: $*" >&2; exit 1; }
[ -d /base/usr ] || die "runtime base not mounted at /base"
mkdir -p "$out/usr/sbin" "$out/usr/lib/squid" "$out/usr/share/squid/errors" "$out/etc/squid" \
  "$out/usr/lib/locale" "$out/usr/lib/x86_64-linux-gnu" "$out/opt/cephaloproxy"

shipped=/tmp/shipped   # lines: <path in the image><TAB><source path in this builder>
: >"$shipped"
# ship SRC DEST [MODE]: copies SRC (following symlinks) to $out/DEST and notes where it came from.
ship() {
  mkdir -p "$(dirname "$out$2")"
  if [ -n "${3:-}" ]; then install -m "$3" "$1" "$out$2"; else cp -L "$1" "$out$2"; fi
  printf '%s\t%s\n' "$2" "$1" >>"$shipped"
}
# ship_tree SRCDIR DESTDIR: every file below SRCDIR (symlinks followed).
ship_tree() {
  local f
  while IFS= read -r f; do ship "$1/$f" "$2/$f"; done < <(cd "$1" && find -L . -type f | sed 's:^\./::' | sort)
}

# Squid: /usr/sbin/squid is an alternatives symlink; ship the real binary under the plain name.
real="$(readlink -f /usr/sbin/squid)"
[ "$(basename "$real")" = squid-openssl ] || die "/usr/sbin/squid resolves to $real, not squid-openssl"
ship "$real" /usr/sbin/squid 0755
for h in $HELPERS; do
  f="/usr/lib/squid/$h"
  [ -f "$f" ] || die "helper $h not found in /usr/lib/squid"
  [ "$(head -c4 "$f" | tail -c3)" = ELF ] || die "helper $h is a script; only compiled helpers are shipped"
  ship "$f" "/usr/lib/squid/$h" 0755
done

# Error pages: the templates (Squid's fallback) and English; the other 8 MB of translations are
# left out. errorpage.css is read from /etc/squid by default.
ship_tree /usr/share/squid-langpack/templates /usr/share/squid/errors/templates
ship_tree /usr/share/squid-langpack/en /usr/share/squid/errors/en
ln -s en "$out/usr/share/squid/errors/English"
ship /etc/squid/errorpage.css /etc/squid/errorpage.css
ship /usr/share/squid/mime.conf /usr/share/squid/mime.conf
ship_tree /usr/share/squid/icons /usr/share/squid/icons

# OpenSSL's default verify locations (OPENSSLDIR /usr/lib/ssl), as Debian's openssl package links
# them: Squid verifies origins against the system bundle when squid.conf names no cafile.
mkdir -p "$out/usr/lib/ssl"
ln -s /etc/ssl/certs/ca-certificates.crt "$out/usr/lib/ssl/cert.pem"
ln -s /etc/ssl/certs "$out/usr/lib/ssl/certs"

# C.UTF-8 locale (libc-bin ships it; the runtime base has only libc6).
ship_tree /usr/lib/locale/C.utf8 /usr/lib/locale/C.utf8

# The JRE (jlinked from the JDK package's jmods: the java stage recorded that package in /records)
# and the program.
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
  ship "$lib" "/usr/lib/x86_64-linux-gnu/$(basename "$lib")"
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

# --- Debian package records ---------------------------------------------------------------------
# owner PATH: the package that ships PATH in this builder (merged /usr: tries the path, its target
# and both with and without the /usr prefix, as dpkg may list either), from dpkg's file lists.
declare -A owners
while IFS=$'\t' read -r f p; do owners[$f]="$p"; done < <(
  awk '{ p = FILENAME; sub(/.*\//, "", p); sub(/\.list$/, "", p); sub(/:.*/, "", p); print $0 "\t" p }' /var/lib/dpkg/info/*.list)
owner() {
  local p c
  for p in "$1" "$(readlink -f "$1")"; do
    for c in "$p" "/usr$p" "${p#/usr}"; do
      [ -n "${owners[$c]:-}" ] && [ ! -d "$c" ] && { echo "${owners[$c]}"; return 0; }
    done
  done
  return 1
}
# status_entry PKG: the package's dpkg status entry, without its Conffiles (not in the image).
status_entry() { dpkg-query -s "$1" | awk '/^[^ ]/ { skip = /^Conffiles:/ } !skip'; }

status_d="$out/var/lib/dpkg/status.d"
mkdir -p "$status_d"
: >/tmp/owned
while IFS=$'\t' read -r dest src; do
  pkg="$(owner "$src")" || die "no Debian package owns $src (shipped as $dest): record where it comes from"
  printf '%s\t%s\n' "$pkg" "$dest" >>/tmp/owned
done <"$shipped"
for pkg in $(cut -f1 /tmp/owned | sort -u); do
  version="$(dpkg-query -W -f '${Version}' "$pkg")"
  if [ -f "/base/var/lib/dpkg/status.d/$pkg" ]; then
    # the base records it already: it must be the same build of the package
    grep -qx "Version: $version" "/base/var/lib/dpkg/status.d/$pkg" \
      || die "$pkg $version is shipped, but the base records another version of it"
    continue
  fi
  doc="/usr/share/doc/$pkg/copyright"
  if [ -e "$doc" ] && [ ! -e "$out$doc" ]; then ship "$doc" "$doc"; printf '%s\t%s\n' "$pkg" "$doc" >>/tmp/owned; fi
  status_entry "$pkg" >"$status_d/$pkg"
  awk -F'\t' -v p="$pkg" '$1 == p { print $2 }' /tmp/owned | sort -u | while IFS= read -r f; do
    printf '%s  %s\n' "$(md5sum <"$out$f" | cut -d' ' -f1)" "${f#/}"
  done >"$status_d/$pkg.md5sums"
done
# The JRE's package, as the java stage recorded it (its md5sums list only its copyright: jlink rewrote the rest).
[ -n "$(ls /records/var/lib/dpkg/status.d/ 2>/dev/null)" ] || die "/records holds no status entry for the JRE's package"
cp -a /records/. "$out/"

# Nothing escapes the records: every file and link in /out is a package's file or one of ours.
own_files='^/(opt/java/.*|opt/cephaloproxy/(agent\.jar|classes\.lst)|etc/passwd|usr/lib/ssl/(cert\.pem|certs)|usr/share/squid/errors/English|var/lib/dpkg/status\.d/.*|usr/share/doc/[^/]+/copyright)$'
unaccounted="$(cd "$out" && find . \( -type f -o -type l \) | sed 's:^\.::' | grep -Ev "$own_files" \
  | grep -vxFf <(cut -f2 /tmp/owned) || true)"
[ -z "$unaccounted" ] || die "files in the image that no package record covers: $(head -5 <<<"$unaccounted" | tr '\n' ' ')"
echo "assemble-rootfs: package records: $(cd "$status_d" && ls | grep -v '\.md5sums$' | while read -r p; do
  printf '%s=%s ' "$p" "$(sed -n 's/^Version: //p' "$p")"; done)"

# Writable paths, group 0 writable so any UID with GID 0 can use them (copied with --chown 65532:0).
# Each is copied as a subdirectory (COPY keeps a copied directory's mode, not the target's).
mkdir -p /writable/run/squid /writable/lib/squid /writable/cache/squid
chmod 0775 /writable/run/squid /writable/lib/squid /writable/cache/squid
echo "assemble-rootfs: $(find "$out" -type f | wc -l) files, $(du -sh "$out" | cut -f1)"
