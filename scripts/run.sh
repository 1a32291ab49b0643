#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine (as root): CephaloProxy as a user gets it, on a real
# single-node Kubernetes cluster on this machine.
#  1. builds the operator and renders what it creates for examples/basic.yaml into out/ (like
#     `helm template`: the ConfigMap with squid.conf, the Deployment, the Service, ...);
#  2. builds the Kubernetes binaries from Go modules once (cached under /var/cache/cephaloproxy; a cold
#     build is long on 2 cores, see docs/benchmarks.md), the Squid and operator images under Docker
#     (local stand-ins for their base images where no registry is reachable);
#  3. starts the local OCI registry (scripts/registry/up.sh: CNCF Distribution, TLS) and releases
#     into it (scripts/release.sh: images and Helm chart pinned by digest, install.yaml; dist/current);
#  4. brings up the local cluster (scripts/cluster/up.sh), installs the operator from the registry
#     (`helm install oci://...`, images pulled by digest), applies examples/basic.yaml and prints the
#     `curl -x` line that goes through the proxy (scripts/cluster/demo.sh).
# Run it again at any time: every step is idempotent. Remove the cluster with scripts/cluster/down.sh.
# The image alone under Docker, without Kubernetes: scripts/run-docker.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
[ "$(id -u)" = 0 ] || { echo "run.sh: run as root: the local cluster needs cgroups, mounts and iptables" >&2; exit 1; }
ensure_packages openjdk-17-jdk-headless maven curl
if [ ! -f operator/target/cephaloproxy-operator.jar ]; then
  mvn -B -ntp -q install -DskipTests -DskipITs -pl operator -am
fi
java -jar operator/target/cephaloproxy-operator.jar render -f examples/basic.yaml -o out/
echo "rendered the objects for examples/basic.yaml into out/"

bash scripts/stages/30-control-plane.sh
bash scripts/stages/40-images.sh
bash scripts/stages/45-operator-image.sh
version="$(project_version)"
registry=$(scripts/registry/up.sh)
scripts/release.sh "$version" "$registry" >/dev/null
exec scripts/cluster/demo.sh
