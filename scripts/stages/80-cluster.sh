#!/usr/bin/env bash
# Brings up the local single-node cluster (scripts/cluster/up.sh: containerd, etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kubelet, kube-proxy, cluster DNS) and imports the images
# the end-to-end suite (tests/cluster, *E2E in stage 90) runs: the Squid and operator images built by
# the image stages, the origin server and CoreDNS built from tests/cluster.
# Needs the Kubernetes binaries of stage 30 and the Docker images of the image stages; fails when
# one is missing. Cold (first run on a machine): see docs/benchmarks.md; warm (node up): ~2 s.
# The node stays up for stage 90 and afterwards; scripts/cluster/down.sh removes it.
#
# Before the suite runs, it removes what an interrupted earlier run or the README's demo left behind
# (namespaces labelled app.kubernetes.io/part-of=cephaloproxy-e2e, the demo's namespaces, the chart's
# cluster-scoped RBAC): a second operator watching every namespace would reconcile the suite's proxies.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/cluster/env.sh   # (sources scripts/lib.sh)
ensure_packages containerd runc containernetworking-plugins iptables iproute2 openssl curl gcc libc6-dev
ensure_dockerd
scripts/cluster/up.sh
scripts/cluster/images.sh
# The scripts whose stdout is a path print nothing else there, even while installing packages.
scripts/tests/stdout-is-data.sh

kubectl=("$(kube_bin_dir)/kubectl" --kubeconfig "$ADMIN_KUBECONFIG")
leftovers=$("${kubectl[@]}" get namespaces -l app.kubernetes.io/part-of=cephaloproxy-e2e -o name)
for ns in cephaloproxy-demo cephaloproxy-system; do
  "${kubectl[@]}" get namespace "$ns" >/dev/null 2>&1 && leftovers+=" namespace/$ns"
done
if [ -n "${leftovers// /}" ]; then
  echo "80-cluster: removing leftovers of earlier runs/the demo: $(echo $leftovers)"
  "${kubectl[@]}" delete $leftovers --wait=true --timeout=180s
fi
"${kubectl[@]}" delete clusterrole,clusterrolebinding -l app.kubernetes.io/name=cephaloproxy-operator --ignore-not-found
