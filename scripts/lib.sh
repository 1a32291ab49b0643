#!/usr/bin/env bash
# Shared helpers for the scripts (sourced).

# log MSG...: one line on stderr, "[TAG HH:MM:SS] MSG", TAG being $LOG_TAG or the script's file name.
# Scripts whose stdout is data log through this, so their $(...) callers capture only the data.
log() { printf '[%s %s] %s\n' "${LOG_TAG:-${0##*/}}" "$(date -u +%H:%M:%S)" "$*" >&2; }
# die MSG...: "[TAG] ERROR: MSG" on stderr, then exit 1.
die() { printf '[%s] ERROR: %s\n' "${LOG_TAG:-${0##*/}}" "$*" >&2; exit 1; }

# project_version: the Maven project version (the reactor root pom's own <version>) on stdout.
project_version() {
  local lib_dir version
  lib_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$lib_dir/../pom.xml" | head -1)"
  [ -n "$version" ] || die "cannot read the project version from $lib_dir/../pom.xml"
  echo "$version"
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=
# ensure_packages PKG...: installs the Debian packages that are not installed yet. Everything it and
# apt print goes to stderr: callers such as scripts/cluster/up.sh print data (a path) on stdout, and
# a caller's $(...) must not capture apt's progress (the round-1 fresh-machine bug).
ensure_packages() {
  _ensure_packages "$@" >&2
}
_ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing Debian packages: ${missing[*]}"
  if [ -z "$apt_updated" ]; then as_root apt-get update -q -o APT::Update::Error-Mode=any; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

stop_system_squid() {
  if pgrep -x squid >/dev/null 2>&1 && [ -f /run/squid.pid ]; then
    as_root /usr/sbin/squid -k shutdown 2>/dev/null || true
    for _ in $(seq 1 40); do pgrep -f '^/usr/sbin/squid' >/dev/null || break; sleep 0.5; done
  fi
}

# ensure_dockerd: installs docker.io and starts dockerd in the background when no engine answers.
ensure_dockerd() {
  ensure_packages docker.io
  if docker info >/dev/null 2>&1; then return 0; fi
  echo "starting dockerd" >&2
  as_root sh -c 'nohup dockerd >/var/log/cephaloproxy-dockerd.log 2>&1 </dev/null &' 3>&- 9>&-
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && return 0; sleep 1; done
  echo "dockerd did not start; see /var/log/cephaloproxy-dockerd.log" >&2
  tail -20 /var/log/cephaloproxy-dockerd.log >&2 || true
  return 1
}
