#!/bin/bash
# Runs in the Dockerfile's `train` stage (Squid, the jlinked JRE, the agent): runs the program the way
# the containers do, with -XX:DumpLoadedClassList, so the runtime stage can dump an application CDS
# archive of exactly the classes a start loads: `init` as the init container and the operator's
# config check pod run it (`init --set cache.dirs=`: the writable paths, the trusted CA bundle,
# `squid -k parse` of the default config), then `run` with a real Squid (health/ready/metrics
# served). The two lists are merged into one.
set -euo pipefail
java=/opt/java/bin/java jar=/opt/cephaloproxy/agent.jar list=/opt/cephaloproxy/classes.lst
work=/tmp/train
mkdir -p "$work"
# init, as the check pod runs it: its JDK classes (temp files, SecureRandom, process start) and the
# lambda forms it spins are archived too, so every pod start and every config check gains from it.
"$java" -XX:DumpLoadedClassList="$work/init.lst" -jar "$jar" init --set cache.dirs= >"$work/init.log" 2>&1 \
  || { cat "$work/init.log" >&2; echo "train-cds: init failed on the default config" >&2; exit 1; }
grep -q '^io/cephaloproxy/agent/Init ' "$work/init.lst" || { echo "train-cds: the init list lacks Init" >&2; exit 1; }
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
# Merge: init's classes and @-lines that `run` did not load, appended with fresh ids (ids only have
# to be unique: every class here comes from the boot or the application loader).
awk 'FNR == NR { print; if ($0 !~ /^[@#]/) { seen[$1] = 1; if ($3 + 0 > max) max = $3 + 0 } else at[$0] = 1; next }
     /^[@#]/ { if (!at[$0]++) print; next }
     !seen[$1]++ { print $1, "id:", ++max }' "$list" "$work/init.lst" >"$work/merged.lst"
grep -q '^io/cephaloproxy/agent/Init ' "$work/merged.lst" || { echo "train-cds: the merged list lacks Init" >&2; exit 1; }
mv "$work/merged.lst" "$list"
echo "train-cds: $(wc -l <"$list") lines ($(grep -c '^[^@#]' "$list") classes)"
rm -rf "$work"
