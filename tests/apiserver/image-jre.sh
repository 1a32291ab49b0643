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
log "$image: $("$dir/bin/java" -version 2>&1 | sed -n 2p)"
echo "$dir"
