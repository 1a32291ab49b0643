#!/usr/bin/env bash
# Releases an earlier commit of CephaloProxy into the local registry, for benchmarks that compare
# this release with the previous one side by side (tests/cluster GenerationsBenchmark):
#   scripts/previous-release.sh [COMMIT]
# COMMIT defaults to acb8b4b: main just before issue 11's config generations (5a6b5c7), the last
# operator without validation before promote and whose apply → Ready docs/benchmarks.md quotes.
#   1. a detached git worktree of COMMIT in $PREVIOUS_WORK/<commit> (default
#      /var/tmp/cephaloproxy-previous), kept for the next run;
#   2. its operator jar: `mvn package` of that tree (offline first; package, not install, so the
#      local Maven repository keeps this tree's artifacts);
#   3. its Squid and operator images from its own Dockerfiles on the local base stand-ins
#      (image/base/build-bases.sh), tagged cephaloproxy.local/{squid,operator}:previous-<commit>
#      (the stages' ghcr.io/cephaloproxy/*:<version> tags are left alone);
#   4. released by this tree's scripts/release.sh as VERSION 0.0.0-previous.g<commit>, without SBOMs and
#      signatures (RELEASE_SBOM_AND_SIGN=false), with COMMIT's chart (RELEASE_CHART_DIR), into
#      $PREVIOUS_WORK/dist. The chart, its CRD, install.yaml and both images are COMMIT's; the OLM
#      bundle and catalog the release also makes are this tree's manifests and are not used.
# Prints the release.env on stdout (pass it as -Dcephaloproxy.release.previous); progress on stderr.
# Needs stages 36 (registry), 40/45 (base images) and 20 (Maven); run as root, at nice 19 beside CI.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$REPO_ROOT/scripts/lib.sh"
LOG_TAG=previous-release
exec 3>&1 1>&2
COMMIT=$(git -C "$REPO_ROOT" rev-parse --short=7 "${1:-acb8b4b}^{commit}") \
  || die "'${1:-acb8b4b}' is not a commit of $REPO_ROOT"
WORK="${PREVIOUS_WORK:-/var/tmp/cephaloproxy-previous}"
TREE="$WORK/$COMMIT"
VERSION="0.0.0-previous.g$COMMIT"
SQUID="cephaloproxy.local/squid:previous-$COMMIT"
OPERATOR="cephaloproxy.local/operator:previous-$COMMIT"
docker=/usr/bin/docker
start=$SECONDS
mkdir -p "$WORK"

if [ ! -e "$TREE/.git" ]; then
  git -C "$REPO_ROOT" worktree add --detach "$TREE" "$COMMIT" >&2
fi
[ "$(git -C "$TREE" rev-parse --short=7 HEAD)" = "$COMMIT" ] || die "$TREE is not at $COMMIT"

if [ ! -f "$TREE/operator/target/cephaloproxy-operator.jar" ]; then
  log "building the operator jar of $COMMIT (mvn package)"
  (cd "$TREE" && { mvn -B -ntp -q -o package -DskipTests -DskipITs -pl operator -am \
      || mvn -B -ntp -q package -DskipTests -DskipITs -pl operator -am; }) >&2 \
    || die "mvn package of $COMMIT failed"
fi

ensure_dockerd
DOCKER="$docker" bash "$REPO_ROOT/image/base/build-bases.sh" >&2
build() { # IMAGE DIR LOG
  log "building $1 from $TREE/$2"
  DOCKER_BUILDKIT=1 "$docker" build --network host --progress plain \
    --build-arg BUILDER_IMAGE=cephaloproxy.local/debian:13-slim \
    --build-arg RUNTIME_IMAGE=cephaloproxy.local/distroless-cc:debian13-nonroot \
    --build-arg VERSION="$VERSION" -t "$1" "$TREE/$2" >"$WORK/$3" 2>&1 \
    || { tail -40 "$WORK/$3"; die "docker build of $1 failed (log: $WORK/$3)"; }
}
build "$SQUID" image "squid-$COMMIT.log"
build "$OPERATOR" operator "operator-$COMMIT.log"

source "$REPO_ROOT/scripts/registry/env.sh"
LOG_TAG=previous-release
address=$("$REPO_ROOT/scripts/registry/up.sh")
dir=$(RELEASE_OUT="$WORK/dist" RELEASE_SBOM_AND_SIGN=false \
  RELEASE_CHART_DIR="$TREE/helm/cephaloproxy-operator" \
  RELEASE_SQUID_SOURCE="$SQUID" RELEASE_OPERATOR_SOURCE="$OPERATOR" \
  "$REPO_ROOT/scripts/release.sh" "$VERSION" "$address")
log "released $COMMIT as $VERSION in $((SECONDS - start)) s: $dir"
echo "$dir/release.env" >&3
