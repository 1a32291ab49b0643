#!/usr/bin/env bash
# Stops the local registry of scripts/registry/up.sh. Keeps its CA, certificates and stored images;
# `down.sh --purge` removes them too (and the trust files it wrote for Docker and the node).
set -euo pipefail
source "$(dirname "$0")/env.sh"
pid=$(cat "$REGISTRY_PID" 2>/dev/null || true)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
  log "stopping the registry (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
fi
rm -f "$REGISTRY_PID" "$REGISTRY_RUN_DIR/stamp"
if [ "${1:-}" = --purge ]; then
  address=$(registry_address)
  rm -rf "$REGISTRY_DIR" "/etc/docker/certs.d/$address" "$NODE_CERTS_D/$address"
  log "removed $REGISTRY_DIR and the registry's trust files"
fi
