#!/usr/bin/env bash
# Brings up the local single-node cluster (scripts/cluster/up.sh: containerd, etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kubelet, kube-proxy, cluster DNS) and imports the images
# the end-to-end suite (tests/cluster, *E2E in stage 90) runs: the Squid and operator images built by
# the image stages, the origin server and CoreDNS built from tests/cluster.
# Needs the Kubernetes binaries of stage 30 and the Docker images of the image stages; fails when
# one is missing. Cold (first run on a machine): see docs/benchmarks.md; warm (node up): ~2 s.
# The node stays up for stage 90 and afterwards; scripts/cluster/down.sh removes it.
#
# The end-to-end suite is not finished (issue 7 is open: see docs/local-cluster.md), so it runs only
# when CEPHALOPROXY_E2E=1; otherwise this stage says so and stage 90 leaves tests/cluster out.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh
if [ "${CEPHALOPROXY_E2E:-0}" != 1 ]; then
  echo "##############################################################################################"
  echo "## NOT RUN: the single-node cluster and its end-to-end suite (tests/cluster, issue 7 open)."
  echo "## Run them with: CEPHALOPROXY_E2E=1 scripts/test-all.sh"
  echo "##############################################################################################"
  exit 0
fi
ensure_packages containerd runc containernetworking-plugins iptables iproute2 openssl curl gcc libc6-dev
ensure_dockerd
scripts/cluster/up.sh
scripts/cluster/images.sh
