#!/usr/bin/env bash
# Scanners see what is inside the images (issue 13 §3). syft (built from its Go module by
# scripts/supply-chain-tool.sh, cached) reads the Squid image and the operator image from Docker, as Trivy or
# Grype would, and this test asserts on its SBOM:
#   - Squid image: squid-openssl at exactly the Debian version dpkg installed in the build's squid
#     stage; every file the image adds to its base from a Debian package (Squid, its helpers, error
#     pages, the libraries copied in, the locale) is listed as a file of a package in the SBOM, with
#     the md5 of the file the image really holds; the packages not in the base are at the versions
#     the build stages installed;
#   - both images: the JDK package the JRE was linked from, at a Debian version that starts with the
#     version the image's own `java -version` reports;
#   - the operator's CycloneDX SBOM (Maven plugin) lists every artifact its shaded jar holds.
# The SBOMs are kept in target/sbom/ (syft JSON and SPDX). Needs stages 40 and 45; stage 90 runs it in its
# checks lane, beside the suites (it only reads the images). ~20 s warm, ~1 min on a busy machine
# (plus the syft build once: see docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh
ensure_packages jq unzip
ensure_dockerd
docker=/usr/bin/docker
fail() { echo "image-sbom: FAIL: $*" >&2; exit 1; }
version="$(project_version)"
squid_image="ghcr.io/cephaloproxy/squid:$version"
operator_image="ghcr.io/cephaloproxy/operator:$version"
base_image=cephaloproxy.local/distroless-cc:debian13-nonroot
for i in "$squid_image" "$operator_image" "$base_image"; do
  "$docker" image inspect "$i" >/dev/null 2>&1 || fail "image $i missing (run stages 40 and 45)"
done
syft="$(scripts/supply-chain-tool.sh syft)"
out=target/sbom
mkdir -p "$out"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

# sbom IMAGE NAME: syft's JSON (for the assertions) and SPDX (published) of IMAGE from Docker.
sbom() {
  SYFT_CHECK_FOR_APP_UPDATE=false "$syft" scan -q "docker:$1" \
    -o "syft-json=$out/$2.syft.json" -o "spdx-json=$out/$2.spdx.json" \
    || fail "syft could not scan $1"
}
# deb_version SBOM PACKAGE: the version the SBOM gives the Debian package (empty when absent).
deb_version() { jq -r --arg p "$2" '[.artifacts[] | select(.type == "deb" and .name == $p) | .version][0] // empty' "$1"; }
# files IMAGE: every regular file and symlink of IMAGE, one path a line (leading /).
files() {
  local cid; cid="$("$docker" create "$1" x)"
  "$docker" export "$cid" | tar -t | grep -v '/$' | sed 's:^\.\{0,1\}/*:/:' | sort -u
  "$docker" rm "$cid" >/dev/null
}

start=$SECONDS
sbom "$squid_image" squid
sbom "$operator_image" operator
scan=$((SECONDS - start))
sj="$out/squid.syft.json" oj="$out/operator.syft.json"

# --- the versions the build installed: the Dockerfile's squid and jdk stages (BuildKit cache hits) ---
for target in squid jdk; do
  DOCKER_BUILDKIT=1 "$docker" build --network host -q --target "$target" \
    --build-arg BUILDER_IMAGE=cephaloproxy.local/debian:13-slim \
    --build-arg RUNTIME_IMAGE="$base_image" \
    -t "cephaloproxy.local/squid-build-$target:sbom" image/ >/dev/null || fail "docker build --target $target failed"
  "$docker" run --rm --network none "cephaloproxy.local/squid-build-$target:sbom" \
    dpkg-query -W -f '${Package} ${Version}\n' >>"$work/installed"
done
"$docker" rmi "cephaloproxy.local/squid-build-squid:sbom" "cephaloproxy.local/squid-build-jdk:sbom" >/dev/null

expected="$(awk '$1 == "squid-openssl" { print $2; exit }' "$work/installed")"
[ -n "$expected" ] || fail "squid-openssl is not installed in the build's squid stage"
actual="$(deb_version "$sj" squid-openssl)"
[ "$actual" = "$expected" ] || fail "the Squid image's SBOM lists squid-openssl '${actual:-(absent)}', dpkg installed $expected"

# Every package the image adds to its base is at the version the build installed.
base_pkgs="$(jq -r '.artifacts[] | select(.type == "deb") | .name' <(SYFT_CHECK_FOR_APP_UPDATE=false "$syft" scan -q "docker:$base_image" -o syft-json))"
added="$(jq -r '.artifacts[] | select(.type == "deb") | "\(.name) \(.version)"' "$sj" \
  | awk 'NR == FNR { base[$1] = 1; next } !($1 in base)' <(echo "$base_pkgs") -)"
while read -r name ver; do
  want="$(awk -v p="$name" '$1 == p { print $2; exit }' "$work/installed")"
  [ "$ver" = "$want" ] || fail "the SBOM lists $name $ver, the build installed ${want:-no such package}"
done <<<"$added"

# Every file the image adds to its base that comes from a package is a file of a package in the SBOM,
# with the md5 of the file the image holds. Ours: the agent, its CDS data, the JRE (jlinked, recorded
# as one package below), the config, passwd, the OpenSSL and error-page links, the records themselves.
ours='^/(opt/java/|opt/cephaloproxy/|etc/cephaloproxy/|etc/passwd$|usr/lib/ssl/(cert\.pem|certs)$|usr/share/squid/errors/English$|var/lib/dpkg/status\.d/|var/(run|lib|cache)/squid/)'
comm -13 <(files "$base_image") <(files "$squid_image") | grep -Ev "$ours" >"$work/added-files"
jq -r '.artifacts[] | select(.type == "deb") | .name as $p | (.metadata.files // [])[] | "/\(.path | ltrimstr("/"))\t\(.digest.value // "")\t\($p)"' "$sj" \
  | sort -u >"$work/sbom-files"
cid="$("$docker" create "$squid_image" x)"
"$docker" export "$cid" | tar -x -C "$work" --one-top-level=rootfs 2>/dev/null || true
"$docker" rm "$cid" >/dev/null
missing=0 libs=0
while IFS= read -r f; do
  line="$(awk -F'\t' -v f="$f" '$1 == f { print; exit }' "$work/sbom-files")"
  if [ -z "$line" ]; then echo "image-sbom: $f is in the image but no package in the SBOM lists it" >&2; missing=$((missing + 1)); continue; fi
  if [ -f "$work/rootfs$f" ] && [ ! -L "$work/rootfs$f" ]; then
    md5="$(md5sum <"$work/rootfs$f" | cut -d' ' -f1)"
    [ "$(cut -f2 <<<"$line")" = "$md5" ] || fail "$f: the SBOM's md5 ($(cut -f2 <<<"$line")) is not that of the file in the image ($md5)"
  fi
  case "$f" in /usr/lib/x86_64-linux-gnu/*.so*) libs=$((libs + 1)) ;; esac
done <"$work/added-files"
[ "$missing" = 0 ] || fail "$missing files of the Squid image are invisible to scanners (listed above)"
[ "$libs" -gt 0 ] || fail "no copied library found among the image's files: the check saw nothing"
lib_pkgs="$(awk -F'\t' '$1 ~ /^\/usr\/lib\/x86_64-linux-gnu\/[^/]*\.so/ { print $3 }' "$work/sbom-files" | sort -u)"

# --- the JRE: the JDK package at the version the image's own java reports ---------------------------
check_jre() {  # IMAGE SBOM
  local runtime pkg ver
  runtime="$("$docker" run --rm --network none --entrypoint /opt/java/bin/java "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.runtime\.version = \([0-9.]*\).*/\1/p')"
  [ -n "$runtime" ] || fail "$1: java -version printed no runtime version"
  pkg="$(jq -r '[.artifacts[] | select(.type == "deb" and (.name | test("^openjdk-[0-9]+-(jdk|jre)"))) | .name][0] // empty' "$2")"
  [ -n "$pkg" ] || fail "$1: the SBOM lists no OpenJDK package for the JRE"
  ver="$(deb_version "$2" "$pkg")"
  [[ "$ver" == "$runtime"* ]] || fail "$1: the SBOM lists $pkg $ver, the image's java is $runtime"
  echo "$pkg $ver (java $runtime)"
}
squid_jre="$(check_jre "$squid_image" "$sj")"
operator_jre="$(check_jre "$operator_image" "$oj")"
# --- the Java SBOM (CycloneDX, Maven plugin) covers what the operator's shaded jar holds ------------
# Every artifact whose pom.properties the jar carries is a component of the SBOM, at that version.
jar=operator/target/cephaloproxy-operator.jar cdx="operator/target/cephaloproxy-operator-$version.cdx.json"
[ -f "$jar" ] && [ -f "$cdx" ] || fail "$jar or $cdx missing (stage 20: mvn install)"
unzip -Z1 "$jar" | grep '^META-INF/maven/.*/pom\.properties$' | while IFS= read -r f; do
  unzip -p "$jar" "$f" | tr -d '\r' | awk -F= '$1 == "groupId" { g = $2 } $1 == "artifactId" { a = $2 } $1 == "version" { v = $2 }
    END { print g ":" a ":" v }'
done | sort -u >"$work/shaded"
jq -r '(.metadata.component, .components[]) | "\(.group):\(.name):\(.version)"' "$cdx" | sort -u >"$work/cdx"
[ "$(wc -l <"$work/shaded")" -gt 10 ] || fail "found only $(wc -l <"$work/shaded") pom.properties in $jar"
uncovered="$(comm -23 "$work/shaded" "$work/cdx")"
[ -z "$uncovered" ] || fail "$cdx misses artifacts the operator jar holds: $(echo $uncovered)"
grep -qx "io.cephaloproxy:cephaloproxy-agent:$version" <(jq -r '.metadata.component | "\(.group):\(.name):\(.version)"' \
  "image/agent/target/cephaloproxy-agent-$version.cdx.json") || fail "the agent's CycloneDX SBOM is missing or names another component"

echo "image-sbom: ok (syft scans ${scan}s): $squid_image: squid-openssl $actual, $(wc -l <"$work/added-files") added files all owned," \
  "$libs libraries from $(echo $lib_pkgs | wc -w) packages ($(echo $lib_pkgs)), JRE $squid_jre;" \
  "$operator_image: JRE $operator_jre; CycloneDX covers the $(wc -l <"$work/shaded") artifacts of the operator jar; SBOMs in $out/"
