#!/usr/bin/env bash
# scripts/release.sh either completes or leaves the previous release record as it was, and a broken
# step fails naming the step and its log. On the local registry (scripts/registry/up.sh), with the
# small base stand-in images as the "images" (fast) and a scratch RELEASE_OUT:
#   1. a good release A is published (dist/current -> A, its install.yaml pins digests);
#   2. release B with a broken chart fails in step package-chart, after its image pushes succeeded:
#      the message names the step and the log, exit non-zero, no B record, current still -> A,
#      A's files unchanged;
#   3. release C against a registry whose CA is not trusted fails in step preflight before any push.
# Runs in stage 90's checks lane (scripts/tests/release-checks.sh); ~20 s warm.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source "$root/scripts/registry/env.sh"
fail() { echo "release-fails-cleanly: FAIL: $*" >&2; exit 1; }
address=$("$root/scripts/registry/up.sh")
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
export RELEASE_OUT="$out/dist"
export RELEASE_SQUID_SOURCE=cephaloproxy.local/distroless-cc:debian13-nonroot
export RELEASE_OPERATOR_SOURCE=cephaloproxy.local/debian:13-slim
docker image inspect "$RELEASE_SQUID_SOURCE" "$RELEASE_OPERATOR_SOURCE" >/dev/null \
  || fail "the base stand-ins are missing (image/base/build-bases.sh, stage 40)"

# 1. good release A
"$root/scripts/release.sh" 0.0.1-a "$address" >"$out/a.out" 2>"$out/a.err" || { cat "$out/a.err" >&2; fail "release A failed"; }
[ "$(readlink "$RELEASE_OUT/current")" = 0.0.1-a ] || fail "current does not point at release A"
grep -q "@sha256:" "$RELEASE_OUT/0.0.1-a/install.yaml" || fail "release A's install.yaml pins no digest"
before=$(cd "$RELEASE_OUT/0.0.1-a" && sha256sum install.yaml release.env)

# 2. release B, broken chart (a template that does not parse): fails after the pushes
mkdir -p "$out/chart"; cp -a "$root/helm/cephaloproxy-operator/." "$out/chart/"
echo '{{ if }}' >"$out/chart/templates/broken.yaml"
set +e
RELEASE_CHART_DIR="$out/chart" "$root/scripts/release.sh" 0.0.1-b "$address" >"$out/b.out" 2>"$out/b.err"; rc=$?
set -e
[ "$rc" != 0 ] || fail "release B with a broken chart succeeded"
grep -q "FAILED: step 'package-chart' of release 0.0.1-b .*(log: $RELEASE_OUT/logs/0.0.1-b/package-chart.log)" "$out/b.err" \
  || { cat "$out/b.err" >&2; fail "release B's failure does not name the step and its log"; }
grep -q "step push-operator done" "$out/b.err" || fail "release B did not get as far as pushing the images"
[ ! -s "$out/b.out" ] || fail "release B printed a release directory: $(cat "$out/b.out")"
[ ! -e "$RELEASE_OUT/0.0.1-b" ] || fail "release B left a release record"
[ "$(readlink "$RELEASE_OUT/current")" = 0.0.1-a ] || fail "current moved away from release A"
[ "$(cd "$RELEASE_OUT/0.0.1-a" && sha256sum install.yaml release.env)" = "$before" ] || fail "release A's record changed"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$REGISTRY_CA" "https://$address/v2/charts/cephaloproxy-operator/manifests/0.0.1-b")
[ "$code" = 404 ] || fail "the registry has a chart 0.0.1-b (HTTP $code)"

# 3. release C, registry not trusted (another CA): fails in preflight, nothing pushed
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$out/other.key" -subj /CN=other \
  -days 1 -out "$out/other.crt" 2>/dev/null
set +e
REGISTRY_CA_FILE="$out/other.crt" "$root/scripts/release.sh" 0.0.1-c "$address" >/dev/null 2>"$out/c.err"; rc=$?
set -e
[ "$rc" != 0 ] || fail "release C with an untrusted registry succeeded"
grep -q "FAILED: step 'preflight' of release 0.0.1-c .*(log: $RELEASE_OUT/logs/0.0.1-c/preflight.log)" "$out/c.err" \
  || { cat "$out/c.err" >&2; fail "release C's failure does not name the step preflight and its log"; }
grep -q "did not answer 200 with TLS verified" "$RELEASE_OUT/logs/0.0.1-c/preflight.log" || fail "preflight log does not say why"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$REGISTRY_CA" "https://$address/v2/cephaloproxy/squid/manifests/0.0.1-c")
[ "$code" = 404 ] || fail "release C pushed an image (HTTP $code)"
echo "release-fails-cleanly: ok: a failed step names itself and its log; the previous release stays current; an untrusted registry stops the release before any push"
