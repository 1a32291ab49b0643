#!/usr/bin/env bash
# Runs the local OCI registry: the CNCF Distribution registry (built from scripts/registry's Go
# module, cached by its inputs under /var/cache/cephaloproxy/tools) serving HTTPS on the node's
# address, port $REGISTRY_PORT (25000), storing under $REGISTRY_DIR (/var/lib/cephaloproxy-registry).
#  - The CA ($REGISTRY_DIR/pki/ca.crt) is made once for this machine; the serving certificate is
#    re-issued when the node's address changes.
#  - Its CA is trusted by Docker (/etc/docker/certs.d/HOST:PORT/ca.crt) and by the node's containerd
#    ($NODE_DIR/certs.d/HOST:PORT/hosts.toml, read through the CRI plugin's config_path that
#    scripts/cluster/up.sh sets). The release tools take it as --ca-file (scripts/release.sh).
# Idempotent: a registry that runs with the same binary and configuration is left alone; one with a
# different binary, configuration or address is restarted. Prints HOST:PORT on stdout, nothing else.
# Needs root. Stop it with scripts/registry/down.sh.
set -euo pipefail
source "$(dirname "$0")/env.sh"
exec 3>&1 1>&2
[ "$(id -u)" = 0 ] || die "run as root: the registry writes /etc/docker/certs.d and the node's containerd settings"
ensure_packages openssl curl
address=$(registry_address)
host=${address%:*}
bin=$("$REPO_ROOT/scripts/build-go-tool.sh" registry "$REGISTRY_SCRIPTS")
mkdir -p "$REGISTRY_PKI" "$REGISTRY_DIR/data" "$REGISTRY_RUN_DIR"
chmod 0700 "$REGISTRY_PKI"

# --- PKI: the machine's registry CA, once; the serving certificate for the current address.
if [ ! -f "$REGISTRY_CA" ] || [ ! -f "$REGISTRY_PKI/ca.key" ]; then
  log "creating the registry CA in $REGISTRY_PKI"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$REGISTRY_PKI/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$REGISTRY_PKI/ca.key" -subj "/CN=cephaloproxy-registry-ca $(hostname)" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$REGISTRY_CA" 2>/dev/null
  rm -f "$REGISTRY_PKI/registry.sans"
fi
sans="IP:$host,IP:127.0.0.1,DNS:localhost"
if [ "$(cat "$REGISTRY_PKI/registry.sans" 2>/dev/null)" != "$sans" ] || [ ! -f "$REGISTRY_PKI/registry.crt" ] \
   || ! openssl x509 -checkend 86400 -noout -in "$REGISTRY_PKI/registry.crt" >/dev/null; then
  log "issuing the registry's serving certificate for $sans"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$REGISTRY_PKI/registry.key" 2>/dev/null
  openssl req -new -key "$REGISTRY_PKI/registry.key" -subj "/CN=$host" -out "$REGISTRY_PKI/registry.csr" 2>/dev/null
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth" "subjectAltName=$sans" >"$REGISTRY_PKI/registry.ext"
  openssl x509 -req -in "$REGISTRY_PKI/registry.csr" -CA "$REGISTRY_CA" -CAkey "$REGISTRY_PKI/ca.key" -CAcreateserial \
    -days 365 -sha256 -extfile "$REGISTRY_PKI/registry.ext" -out "$REGISTRY_PKI/registry.crt" 2>/dev/null
  rm -f "$REGISTRY_PKI/registry.csr"
  echo "$sans" >"$REGISTRY_PKI/registry.sans"
fi

# --- the clients' trust: Docker and the node's containerd (both read these files on each push/pull).
mkdir -p "/etc/docker/certs.d/$address" "$NODE_CERTS_D/$address"
install -m 0644 "$REGISTRY_CA" "/etc/docker/certs.d/$address/ca.crt"
write_config "$NODE_CERTS_D/$address/hosts.toml" <<TOML
# the local registry of scripts/registry/up.sh, trusted with its CA (containerd's hosts.toml)
server = "https://$address"
[host."https://$address"]
  capabilities = ["pull", "resolve"]
  ca = "$REGISTRY_CA"
TOML

# --- configuration and process.
write_config "$REGISTRY_DIR/config.yml" <<YAML
# CNCF Distribution registry of scripts/registry/up.sh
version: 0.1
log:
  level: info
  formatter: text
  accesslog: {disabled: false}
storage:
  filesystem: {rootdirectory: $REGISTRY_DIR/data}
  delete: {enabled: true}
  maintenance:
    uploadpurging: {enabled: true, age: 24h, interval: 1h, dryrun: false}
http:
  addr: $address
  tls:
    certificate: $REGISTRY_PKI/registry.crt
    key: $REGISTRY_PKI/registry.key
    minimumtls: tls1.2
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver: {enabled: true, interval: 10s, threshold: 3}
YAML
stamp=$(cat "$REGISTRY_DIR/config.yml" "$REGISTRY_PKI/registry.crt" <(echo "$bin") | sha256sum | cut -c1-64)
pid=$(cat "$REGISTRY_PID" 2>/dev/null || true)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
  if [ "$(cat "$REGISTRY_RUN_DIR/stamp" 2>/dev/null)" = "$stamp" ] && registry_healthy "$address"; then
    log "registry already up on https://$address (pid $pid)"
    echo "$address" >&3; exit 0
  fi
  log "restarting the registry (binary, configuration or address changed)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
fi
log "starting the registry on https://$address (log: $REGISTRY_LOG)"
# (9>&-: the daemon must not inherit the lock of a `with-node` caller and hold it after it returns)
setsid nohup "$bin" serve "$REGISTRY_DIR/config.yml" >>"$REGISTRY_LOG" 2>&1 </dev/null 3>&- 9>&- &
echo $! >"$REGISTRY_PID"
echo "$stamp" >"$REGISTRY_RUN_DIR/stamp"
if ! wait_until 30 "the registry on https://$address/v2/" registry_healthy "$address"; then
  tail -20 "$REGISTRY_LOG" >&2
  die "the registry did not answer on https://$address/v2/ (log: $REGISTRY_LOG)"
fi
log "registry up on https://$address"
echo "$address" >&3
