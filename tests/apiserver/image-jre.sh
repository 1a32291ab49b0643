#!/usr/bin/env bash
# image-jre.sh [IMAGE] [DIR]: makes DIR a Java home that runs the operator image's own Java: the
# image's file system is copied into DIR/root (the jlinked runtime in /opt/java, with the
# Dockerfile's JVM options built in, and the glibc it was linked against: Debian 13's, newer than
# this machine's), and DIR/bin/java runs DIR/root/opt/java/bin/java through that glibc's loader
# (exec: the JVM keeps the wrapper's process id). Prints DIR. The API-server suites and the benchmark
# then run the operator on the Java that ships:
#
#   mvn -pl tests/apiserver verify ... -Doperator.java.home="$(bash tests/apiserver/image-jre.sh)"
#
# IMAGE defaults to ghcr.io/cephaloproxy/operator:<version> (stage 45), DIR to
# tests/apiserver/target/image-jre. Without it the suites use the JVM that runs Maven (Debian 12's
# Java 17 here; the image has Java 21).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh
image="${1:-ghcr.io/cephaloproxy/operator:$(project_version)}"
dir="${2:-tests/apiserver/target/image-jre}"
docker=/usr/bin/docker
"$docker" image inspect "$image" >/dev/null 2>&1 \
  || die "no image $image: build it first (scripts/stages/45-operator-image.sh)"
id="$("$docker" create "$image")"
trap '"$docker" rm -f "$id" >/dev/null' EXIT
rm -rf "$dir" && mkdir -p "$dir/root" "$dir/bin"
dir="$(cd "$dir" && pwd)"
"$docker" export "$id" | tar -x -C "$dir/root" --exclude='dev/*'
libs="$dir/root/lib/x86_64-linux-gnu:$dir/root/usr/lib/x86_64-linux-gnu"
cat >"$dir/bin/java" <<WRAPPER
#!/bin/sh
# the Java of $image ($("$docker" image inspect -f '{{.Id}}' "$image")), through its own glibc
exec "$dir/root/lib64/ld-linux-x86-64.so.2" --library-path "$libs" "$dir/root/opt/java/bin/java" "\$@"
WRAPPER
chmod +x "$dir/bin/java"
"$dir/bin/java" -version >/dev/null 2>&1 || die "$dir/bin/java does not run: $("$dir/bin/java" -version 2>&1 | head -3)"
# The image's CDS archive names the jar by its path in the image (/opt/cephaloproxy/operator.jar),
# and Java 21 maps it only where that file exists. So the copy gets its own archive, dumped the way
# the image build dumps it (the image's Java, the image's jar, operator/cds-classes.txt) against the
# copy's jar; the image's own archive is kept beside it as operator.jsa.image, and the two must be
# the same size (same classes; only the jar's path differs).
archive="$dir/root/opt/cephaloproxy/operator.jsa"
if [ -f "$archive" ]; then
  mv "$archive" "$archive.image"
  "$dir/bin/java" -Xshare:dump -XX:SharedClassListFile=operator/cds-classes.txt -XX:SharedArchiveFile="$archive" \
    -cp "$dir/root/opt/cephaloproxy/operator.jar" >"$dir/cds-dump.log" 2>&1 \
    || die "dumping the copy's CDS archive failed: $(tail -3 "$dir/cds-dump.log")"
  a="$(stat -c %s "$archive.image")" b="$(stat -c %s "$archive")"
  [ $(( a > b ? a - b : b - a )) -le 65536 ] \
    || die "the copy's CDS archive ($b bytes) differs from the image's ($a): was the image built from this tree's operator/cds-classes.txt?"
  "$dir/bin/java" -Xshare:on -XX:SharedArchiveFile="$archive" -jar "$dir/root/opt/cephaloproxy/operator.jar" --version >/dev/null 2>&1 \
    || die "the copy's JVM does not map its CDS archive"
  log "CDS archive for the copy: $b bytes (the image's: $a)"
fi
log "$image: $("$dir/bin/java" -version 2>&1 | sed -n 2p)"
echo "$dir"
