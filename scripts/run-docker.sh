#!/usr/bin/env bash
# The image alone, without Kubernetes (the README's main job, scripts/run.sh, runs it on a local
# cluster with the operator). On a fresh Debian 12 machine (as root or with sudo):
#  1. builds the operator and renders what it would create for examples/basic.yaml into out/
#     (like `helm template`: the ConfigMap with squid.conf, the Deployment, the Service, ...);
#  2. builds the distroless Squid image (local stand-ins for its base images: no registry needed);
#  3. starts it on 127.0.0.1:3128 (proxy) and 127.0.0.1:8080 (health/metrics), hardened the way the
#     operator runs it (arbitrary UID with GID 0, read-only root filesystem, no capabilities),
#     waits until /ready answers and shows that the proxy enforces its default rules.
# Stop it with: docker rm -f cephaloproxy
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_packages openjdk-17-jdk-headless maven curl
if [ ! -f operator/target/cephaloproxy-operator.jar ]; then
  mvn -B -ntp -q install -DskipTests -DskipITs -pl operator -am
fi
java -jar operator/target/cephaloproxy-operator.jar render -f examples/basic.yaml -o out/
echo "rendered the objects for examples/basic.yaml into out/"

bash scripts/stages/40-images.sh
version="$(project_version)"
image="ghcr.io/cephaloproxy/squid:$version"
docker rm -f cephaloproxy >/dev/null 2>&1 || true
uid=1000650000
docker run -d --name cephaloproxy --user "$uid:0" --read-only --cap-drop ALL \
  --security-opt no-new-privileges \
  --tmpfs "/var/run/squid:mode=0775,uid=$uid,gid=0" --tmpfs "/var/lib/squid:mode=0775,uid=$uid,gid=0" \
  --tmpfs /tmp -p 127.0.0.1:3128:3128 -p 127.0.0.1:8080:8080 "$image" >/dev/null
for _ in $(seq 1 60); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/ready)" = 200 ] && break
  sleep 0.5
done
curl -sf http://127.0.0.1:8080/ready >/dev/null || { docker logs cephaloproxy; echo "the proxy did not become ready" >&2; exit 1; }
echo "Squid is ready: http://127.0.0.1:8080/ready answers READY; metrics at http://127.0.0.1:8080/metrics"
code="$(curl -s -o /dev/null -w '%{http_code}' -x http://127.0.0.1:3128 http://169.254.169.254/latest/meta-data/)"
echo "a request to the cloud metadata address through the proxy is refused by default: HTTP $code"
[ "$code" = 403 ] || { echo "expected 403" >&2; exit 1; }
docker logs cephaloproxy 2>/dev/null | grep TCP_DENIED | tail -1
echo
echo "Use it:  curl -x http://127.0.0.1:3128 http://<any site your machine can reach>/"
echo "Logs:    docker logs -f cephaloproxy        Stop: docker rm -f cephaloproxy"
