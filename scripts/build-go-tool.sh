#!/usr/bin/env bash
# Builds a Go command once and caches it by its inputs:
#   scripts/build-go-tool.sh NAME MODULE-DIR [PACKAGE]
# builds PACKAGE (default ./cmd/NAME) of the Go module in MODULE-DIR into
#   $CEPHALOPROXY_CACHE/tools/NAME-<key>   (default cache /var/cache/cephaloproxy)
# where <key> hashes what the binary is made of: the module's go.mod and go.sum, every .go file
# under MODULE-DIR, the Go version and this script. A binary with that key is reused (warm: well under
# a second); $CEPHALOPROXY_CACHE/tools/NAME links to the newest build. Prints the binary's path on
# stdout and nothing else there (progress and Go's output go to stderr).
# Used for the registry (scripts/registry) and the release tools; the Kubernetes binaries have their
# own builder (tests/control-plane/build.sh).
set -euo pipefail
exec 3>&1 1>&2
[ $# -ge 2 ] || { echo "usage: build-go-tool.sh NAME MODULE-DIR [PACKAGE]" >&2; exit 2; }
name=$1 module=$(cd "$2" && pwd) package=${3:-./cmd/$1}
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "build-go-tool.sh: Go (1.26 or newer) is required to build $name; none on PATH" >&2; exit 1; }
export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
cache="${CEPHALOPROXY_CACHE:-/var/cache/cephaloproxy}/tools"
key=$( { go version; cat "$0" "$module/go.mod" "$module/go.sum"; echo "$package";
         find "$module" -name '*.go' -print0 | sort -z | xargs -0 cat; } | sha256sum | cut -c1-16)
bin="$cache/$name-$key"
if [ ! -x "$bin" ]; then
  echo "building $name ($package of ${module}, key $key)"
  mkdir -p "$cache"
  start=$SECONDS
  log="$cache/$name-$key.build.log"
  if ! (cd "$module" && nice -n 10 go build -trimpath -ldflags='-s -w' -o "$bin.tmp.$$" "$package") >"$log" 2>&1; then
    tail -30 "$log"
    echo "build-go-tool.sh: go build of $name failed (log: $log)"
    rm -f "$bin.tmp.$$"; exit 1
  fi
  mv -f "$bin.tmp.$$" "$bin"
  echo "built $name in $((SECONDS - start)) s: $bin"
fi
ln -sfn "$bin" "$cache/$name"
echo "$bin" >&3
