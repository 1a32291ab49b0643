#!/usr/bin/env bash
# Signatures mean something (issue 13 §3-4): after scripts/release.sh, against the real local registry,
# with cosign offline (no transparency log) and TLS verified by the registry's CA:
#   1. every image of the release verifies with the release's cosign.pub, by digest;
#   2. a key pair generated for this test signs an image in a scratch repository; the signature
#      verifies by tag, and then fails when:
#      - another image is pushed under that tag (the tag no longer names the signed digest);
#      - the signature is copied onto another image (its payload names a digest that does not match);
#      - the image was never signed;
#      - the verifier holds another key (the test key vs. the release's images, a fresh key vs. the
#        test image).
# Usage: scripts/tests/signatures.sh [RELEASE_DIR]   (default dist/current). ~30 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO_ROOT="$PWD"
release="${1:-dist/current}"
fail() { echo "signatures: FAIL: $*" >&2; exit 1; }
[ -r "$release/release.env" ] || fail "$release/release.env missing (run scripts/release.sh first)"
source "$release/release.env"
cosign="$(scripts/supply-chain-tool.sh cosign)"
docker=/usr/bin/docker
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cosign_() { SSL_CERT_FILE="$REGISTRY_CA" TUF_ROOT="$work/tuf" COSIGN_YES=true COSIGN_PASSWORD= "$cosign" "$@"; }
# verify_fails WHAT REF KEY PATTERN: cosign verify must fail, saying PATTERN.
verify_fails() {
  if cosign_ verify --key "$3" --insecure-ignore-tlog=true "$2" >"$work/out" 2>&1; then
    fail "$1: cosign verify accepted $2"
  fi
  grep -Eq "$4" "$work/out" || fail "$1: cosign verify failed for another reason than expected ($4): $(tail -3 "$work/out")"
  echo "signatures: ok: $1 fails verification: $(grep -Em1 "$4" "$work/out" | cut -c1-200)"
}
manifest() {  # REPO REF [OUT]: the manifest's bytes (and its media type in OUT.type)
  curl -sSf --cacert "$REGISTRY_CA" -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' -D "$3.headers" -o "$3" \
    "https://$REGISTRY/v2/$1/manifests/$2"
  sed -n 's/^[Cc]ontent-[Tt]ype: *\([^;[:space:]]*\).*/\1/p' "$3.headers" | tr -d '\r' >"$3.type"
}
digest_of() { sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *//p' "$1.headers" | tr -d '\r'; }

# 1. the release's images
for ref in "$SQUID_IMAGE" "$OPERATOR_IMAGE" "$BUNDLE_IMAGE" "$CATALOG_IMAGE"; do
  cosign_ verify --key "$COSIGN_PUBLIC_KEY" --insecure-ignore-tlog=true "$ref" >"$work/out" 2>&1 \
    || fail "the released image $ref does not verify with $COSIGN_PUBLIC_KEY: $(tail -3 "$work/out")"
  grep -q "\"docker-manifest-digest\":\"${ref##*@}\"" "$work/out" || fail "$ref: the signature names another digest"
done
echo "signatures: ok: the 4 released images verify with $COSIGN_PUBLIC_KEY"

# 2. a test key pair and a scratch repository
(cd "$work" && COSIGN_PASSWORD= "$cosign" generate-key-pair --output-key-prefix test >/dev/null 2>&1)
(cd "$work" && COSIGN_PASSWORD= "$cosign" generate-key-pair --output-key-prefix other >/dev/null 2>&1)
repo="$REGISTRY/cephaloproxy-test/signatures"
tag="run-$(date +%s)"
push() {  # LOCAL-IMAGE TAG -> digest
  "$docker" tag "$1" "$repo:$2"
  "$docker" push "$repo:$2" >"$work/push.log" 2>&1 || fail "docker push $repo:$2: $(tail -3 "$work/push.log")"
  manifest "cephaloproxy-test/signatures" "$2" "$work/m"
  digest_of "$work/m"
}
signed="$(push cephaloproxy.local/distroless-cc:debian13-nonroot "$tag")"
cosign_ sign --key "$work/test.key" --tlog-upload=false "$repo@$signed" >"$work/out" 2>&1 || fail "cosign sign: $(tail -3 "$work/out")"
cosign_ verify --key "$work/test.pub" --insecure-ignore-tlog=true "$repo:$tag" >"$work/out" 2>&1 \
  || fail "the freshly signed $repo:$tag does not verify: $(tail -3 "$work/out")"
echo "signatures: ok: $repo:$tag ($signed) signed with the test key verifies by tag"

# another image under the same tag
unsigned="$(push "ghcr.io/cephaloproxy/operator:$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)" "$tag")"
[ "$unsigned" != "$signed" ] || fail "the replacement image has the same digest"
verify_fails "another image pushed under the signed tag" "$repo:$tag" "$work/test.pub" "no signatures found|no matching signatures"
# the signed digest itself still verifies
cosign_ verify --key "$work/test.pub" --insecure-ignore-tlog=true "$repo@$signed" >/dev/null 2>&1 \
  || fail "$repo@$signed stopped verifying after the tag moved"
# the signature copied onto the other image: its payload names $signed, not $unsigned
manifest "cephaloproxy-test/signatures" "sha256-${signed#sha256:}.sig" "$work/sig"
curl -sSf --cacert "$REGISTRY_CA" -X PUT -H "Content-Type: $(cat "$work/sig.type")" --data-binary "@$work/sig" \
  "https://$REGISTRY/v2/cephaloproxy-test/signatures/manifests/sha256-${unsigned#sha256:}.sig" >/dev/null \
  || fail "could not copy the signature manifest onto sha256-${unsigned#sha256:}.sig"
verify_fails "a signature copied onto another image (digest does not match)" "$repo@$unsigned" "$work/test.pub" \
  "digest|no matching signatures"
# never signed
never="$(push "ghcr.io/cephaloproxy/squid:$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)" "$tag-unsigned")"
verify_fails "an unsigned image" "$repo@$never" "$work/test.pub" "no signatures found|no matching signatures"
# other keys
verify_fails "the signed image checked with another key" "$repo@$signed" "$work/other.pub" "no matching signatures"
verify_fails "a released image checked with the test key" "$OPERATOR_IMAGE" "$work/test.pub" "no matching signatures"
"$docker" rmi "$repo:$tag" "$repo:$tag-unsigned" >/dev/null 2>&1 || true
echo "signatures: 8 passed, 0 failed"
