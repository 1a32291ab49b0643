#!/usr/bin/env bash
# Prints every Kubernetes manifest of the user docs — the ```yaml blocks of docs/*.md — as one
# multi-document YAML stream, each preceded by a comment naming its file and line. For a
# server-side check against a cluster with the CRD installed:
#   scripts/docs-manifests.sh | kubectl apply --dry-run=server -f -
# (tests/install DocsTest checks that this prints exactly the blocks it validates.)
set -euo pipefail
cd "$(dirname "$0")/.."
for f in docs/index.md docs/quickstart.md docs/ssl-bump.md docs/openshift.md docs/gitops-argocd.md \
         docs/troubleshooting.md docs/upgrading.md; do
  awk -v file="$f" '
    /^```yaml[ \t]*$/ { inblock = 1; print "---"; print "# " file ":" NR; next }
    /^```[ \t]*$/ && inblock { inblock = 0; next }
    inblock { print }
  ' "$f"
done
