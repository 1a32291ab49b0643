#!/usr/bin/env bash
# Debian packages every suite needs. Idempotent: installs only what is missing.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
ensure_packages squid-openssl openssl curl wrk jq iproute2
# Debian's package starts a system Squid on :3128 when it can; our suites run their own instances.
stop_system_squid
