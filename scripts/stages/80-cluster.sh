#!/usr/bin/env bash
# Brings up the local single-node cluster (scripts/cluster/up.sh: containerd, etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kubelet, kube-proxy, cluster DNS) and imports the images
# the end-to-end suite (tests/cluster, *E2E in stage 90) runs: the Squid and operator images built by
# the image stages, the origin server and CoreDNS built from tests/cluster.
# Needs the Kubernetes binaries of stage 30 and the Docker images of the image stages; fails when
# one is missing. Cold (first run on a machine): ~60 s for the node plus ~13 s for the images, and
# ~3 CPU-minutes more when CoreDNS is not in the Go build cache; warm (node up): ~1 s.
# The node stays up for stage 90 and afterwards; scripts/cluster/down.sh removes it.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh
ensure_packages containerd runc containernetworking-plugins iptables iproute2 openssl curl gcc libc6-dev
ensure_dockerd
scripts/cluster/up.sh
scripts/cluster/images.sh
