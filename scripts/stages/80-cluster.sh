#!/usr/bin/env bash
# Brings up the local single-node cluster (scripts/cluster/up.sh: containerd, etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kubelet, kube-proxy, cluster DNS), its containerd trusting
# the local registry (stage 36), and the test images built from tests/cluster (origin server, CoreDNS).
# The end-to-end suite (tests/cluster, *E2E in stage 90) installs the release of stage 60 from the
# registry: the kubelet pulls CephaloProxy's images by digest, nothing of ours is imported.
# Needs the Kubernetes binaries of stage 30 and the release of stage 60; fails when one is missing.
# Cold (first run on a machine): see docs/benchmarks.md; warm (node up): ~2 s.
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
scripts/registry/up.sh >/dev/null
scripts/cluster/up.sh
[ -f dist/current/release.env ] || { echo "80-cluster: no release to install (dist/current/release.env): run stage 60 (scripts/stages/60-release.sh)" >&2; exit 1; }
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
