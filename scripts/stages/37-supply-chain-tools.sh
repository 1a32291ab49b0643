#!/usr/bin/env bash
# The supply-chain tools, each built from its own upstream Go module at an exact version and cached
# by its inputs (scripts/supply-chain-tool.sh): syft (image SBOMs: scripts/tests/image-sbom.sh and the release), cosign
# (signatures and SBOM attestations: the release and scripts/tests/signatures.sh), opm and
# grpc_health_probe (the OLM catalog image of the release). opm links SQLite, so it needs a C compiler.
# Cold: the Go builds (see docs/benchmarks.md#supply-chain-tools); warm: about a second.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh
ensure_packages gcc libc6-dev
for tool in syft cosign opm grpc_health_probe; do
  start=$SECONDS
  bin="$(scripts/supply-chain-tool.sh "$tool")" || { echo "37-supply-chain-tools: building $tool failed (messages above)" >&2; exit 1; }
  case "$tool" in
    syft) v="$(SYFT_CHECK_FOR_APP_UPDATE=false "$bin" version | sed -n 's/^Version: *//p')" ;;
    cosign) v="$("$bin" version 2>&1 | sed -n 's/^GitVersion: *//p')" ;;
    opm) v="$("$bin" version | sed -n 's/.*OpmVersion:"\([^"]*\)".*/\1/p')" ;;
    grpc_health_probe) v="$("$bin" -version 2>&1 | head -1)" ;;
  esac
  [ -n "$v" ] || { echo "37-supply-chain-tools: $bin does not report its version" >&2; exit 1; }
  echo "37-supply-chain-tools: $tool $v ($((SECONDS - start)) s): $bin"
done
