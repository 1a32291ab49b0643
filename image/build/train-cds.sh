#!/bin/bash
# Runs in the Dockerfile's `train` stage (Squid, the jlinked JRE, the agent): runs the program the way
# the container does (`run` with a real Squid, health/ready/metrics served) with
# -XX:DumpLoadedClassList, so the runtime stage can
# dump an application CDS archive of exactly the classes a start loads.
set -euo pipefail
java=/opt/java/bin/java jar=/opt/cephaloproxy/agent.jar list=/opt/cephaloproxy/classes.lst
work=/tmp/train
mkdir -p "$work"
# The image's default config, with a short shutdown_lifetime so training stops at once.
sed 's/^shutdown_lifetime .*//' /etc/cephaloproxy/squid.conf >"$work/squid.conf"
echo 'shutdown_lifetime 1 second' >>"$work/squid.conf"
"$java" -XX:DumpLoadedClassList="$list" -jar "$jar" run --set squid.config="$work/squid.conf" \
  --set squid.shutdownLifetimeSeconds=1 --set squid.serviceName=train >"$work/run.log" 2>&1 &
pid=$!
ready=
for _ in $(seq 1 150); do
  if "$java" -jar "$jar" probe ready >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.1
done
"$java" -jar "$jar" probe health >/dev/null 2>&1 || true
"$java" -jar "$jar" probe metrics >/dev/null 2>&1 || true
kill -TERM "$pid"
wait "$pid" || true
if [ -z "$ready" ]; then cat "$work/run.log" >&2; echo "train-cds: the agent never became ready" >&2; exit 1; fi
grep -q '^io/cephaloproxy/agent/HealthServer' "$list" || { echo "train-cds: class list lacks the agent" >&2; exit 1; }
echo "train-cds: $(wc -l <"$list") classes"
rm -rf "$work"
