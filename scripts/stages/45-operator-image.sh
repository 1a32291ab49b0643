#!/usr/bin/env bash
# Builds the operator image ghcr.io/cephaloproxy/operator:<version> from operator/Dockerfile on the
# local base stand-ins (image/base/build-bases.sh) and smoke-tests it: --help and --version run, and
# `run` without a cluster fails with a clear message (not a stack trace), also when pointed at an
# API server address that refuses connections. Also checks: non-root user, no shell in the image, the
# JVM maps the image's CDS archive.
# Needs stage 20 (operator/target/cephaloproxy-operator.jar). Cold: ~2 min (JDK download in the
# builder stage; the bases are shared with stage 40); warm: ~5 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh
ensure_packages debootstrap debian-archive-keyring
ensure_dockerd
docker=/usr/bin/docker   # Debian's client: BuildKit works with it
[ -x "$docker" ] || { echo "45-operator-image: $docker missing (package docker.io)" >&2; exit 1; }
[ -f operator/target/cephaloproxy-operator.jar ] || {
  echo "45-operator-image: operator/target/cephaloproxy-operator.jar missing (run stage 20: mvn install)" >&2; exit 1; }
version="$(project_version)"
image="ghcr.io/cephaloproxy/operator:$version"
fail() { echo "45-operator-image: FAIL: $*" >&2; exit 1; }

DOCKER="$docker" bash image/base/build-bases.sh
start=$SECONDS
if ! DOCKER_BUILDKIT=1 "$docker" build --network host --progress plain \
    --build-arg BUILDER_IMAGE=cephaloproxy.local/debian:13-slim \
    --build-arg RUNTIME_IMAGE=cephaloproxy.local/distroless-cc:debian13-nonroot \
    --build-arg VERSION="$version" \
    -t "$image" operator/ >/tmp/cephaloproxy-operator-image.log 2>&1; then
  tail -60 /tmp/cephaloproxy-operator-image.log >&2
  fail "docker build failed (full log: /tmp/cephaloproxy-operator-image.log)"
fi
build=$((SECONDS - start))

# --- smoke test -------------------------------------------------------------------------------------
user="$("$docker" image inspect -f '{{.Config.User}}' "$image")"
[ "${user%%:*}" = 65532 ] || fail "image user is '$user', expected 65532"
out="$("$docker" run --rm "$image" --help)" || fail "--help exited non-zero"
grep -q "render -f FILE" <<<"$out" || fail "--help does not show the usage: $out"
out="$("$docker" run --rm "$image" --version)" || fail "--version exited non-zero"
[ "$out" = "cephaloproxy-operator $version" ] || fail "--version printed '$out'"
# the CDS archive maps and matches the jar (-Xshare:on refuses to start otherwise)
out="$("$docker" run --rm --read-only --entrypoint /opt/java/bin/java "$image" -Xshare:on -jar /opt/cephaloproxy/operator.jar --version 2>&1)" \
  || fail "the JVM does not use the image's CDS archive: $out"
set +e
err="$("$docker" run --rm "$image" 2>&1 >/dev/null)"; rc=$?
set -e
[ "$rc" = 1 ] || fail "run without a cluster exited $rc, expected 1 (stderr: $err)"
grep -q "^error: no Kubernetes API server configured" <<<"$err" || fail "unclear failure without a cluster: $err"
! grep -q "Exception\|\bat [a-z]" <<<"$err" || fail "stack trace instead of a message: $err"
set +e
err="$("$docker" run --rm --network none -e KUBERNETES_SERVICE_HOST=127.0.0.1 -e KUBERNETES_SERVICE_PORT=1 "$image" 2>&1 >/dev/null)"; rc=$?
set -e
[ "$rc" = 1 ] || fail "run against a closed port exited $rc (stderr: $err)"
grep -q "^error: cannot reach the Kubernetes API server at https://127.0.0.1:1/" <<<"$err" || fail "unclear failure: $err"
"$docker" run --rm --entrypoint /bin/sh "$image" -c true >/dev/null 2>&1 && fail "the image has a shell"
# render works in the image, on an example mounted read-only, with a read-only root file system
out="$("$docker" run --rm --read-only -v "$PWD/examples:/examples:ro" "$image" render -f /examples/basic.yaml)" \
  || fail "render in the image failed"
grep -q 'kind: "Deployment"' <<<"$out" || fail "render printed no Deployment"
size="$("$docker" image inspect -f '{{.Size}}' "$image")"
echo "45-operator-image: ok: $image $((size / 1000000)) MB, built in ${build}s; --help, --version, CDS archive in use, clean failures without a cluster, no shell, user $user"
