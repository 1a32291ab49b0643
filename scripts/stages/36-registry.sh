#!/usr/bin/env bash
# The local OCI registry the release is pushed to and the node pulls from (scripts/registry/up.sh:
# the CNCF Distribution registry built from Go modules, HTTPS on the node's address with a CA made
# once for this machine, trusted by Docker and the node's containerd). Then checks that TLS is
# verified, not merely on:
#   - a client that trusts the registry's CA gets /v2/;
#   - a client without it (the system's CAs only) and a client that trusts another CA both fail
#     certificate verification;
#   - the registry refuses plain HTTP on its port.
# Cold: the registry's Go build (see docs/benchmarks.md); warm (binary cached, registry up): ~1 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/registry/env.sh
fail() { echo "36-registry: FAIL: $*" >&2; exit 1; }
start=$SECONDS
address=$(scripts/registry/up.sh) || fail "scripts/registry/up.sh failed (registry log: $REGISTRY_LOG)"
up=$((SECONDS - start))

# verified with the registry's CA
body=$(curl -sS --max-time 10 --cacert "$REGISTRY_CA" "https://$address/v2/") \
  || fail "a client trusting $REGISTRY_CA cannot GET https://$address/v2/"
[ "$body" = "{}" ] || fail "https://$address/v2/ answered '$body', expected {}"
# without the CA: the certificate must not verify (curl exit 60: peer certificate cannot be authenticated)
set +e
curl -sS --max-time 10 -o /dev/null "https://$address/v2/" 2>/tmp/cephaloproxy-registry-untrusted.err; rc=$?
set -e
[ "$rc" = 60 ] || fail "a client without the registry's CA got exit $rc (expected 60, certificate verification failed): $(cat /tmp/cephaloproxy-registry-untrusted.err)"
# trusting another CA (a fresh one): must fail too
other=$(mktemp -d); trap 'rm -rf "$other"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$other/ca.key" -subj /CN=not-the-registry-ca \
  -days 1 -out "$other/ca.crt" 2>/dev/null
set +e
curl -sS --max-time 10 -o /dev/null --cacert "$other/ca.crt" "https://$address/v2/" 2>/dev/null; rc=$?
set -e
[ "$rc" = 60 ] || fail "a client trusting another CA got exit $rc (expected 60, certificate verification failed)"
# plain HTTP is not served
code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "http://$address/v2/" || true)
[ "$code" = 400 ] || [ "$code" = 000 ] || fail "plain http://$address/v2/ answered HTTP $code"
[ -f "/etc/docker/certs.d/$address/ca.crt" ] || fail "Docker does not trust the registry (/etc/docker/certs.d/$address/ca.crt missing)"
[ -f "$NODE_CERTS_D/$address/hosts.toml" ] || fail "the node's containerd does not trust the registry ($NODE_CERTS_D/$address/hosts.toml missing)"
echo "36-registry: ok: https://$address up in ${up}s; TLS verified (untrusted client and foreign CA rejected, plain HTTP refused); CA $REGISTRY_CA"
