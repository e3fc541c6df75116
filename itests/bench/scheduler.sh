#!/usr/bin/env bash
# Benchmark: the scheduler's throughput and per-pod latency: 10,000 bare pods onto 1,000 simulated
# nodes, against `kubundle up` on 127.0.0.1.
#   itests/bench/scheduler.sh [PODS] [NODES] [CLIENTS]     (default 10000 1000 32)
# Needs a built distribution (mvn package -DskipTests). Starts bin/kubundle up on a fresh data dir
# and a free loopback port, with a tokens.csv holding one random token of group system:masters;
# starts `kubundle sim-nodes --count NODES` against it (a second process); runs itests/api-bench's
# SchedulerBench (waits for the nodes to be Ready, watches the pods, creates PODS pods from CLIENTS
# threads, reports pods/s from the first create to the last binding seen and the per-pod latency
# from create answered to binding seen); then stops both processes (SIGTERM) and removes the data.
# SCHED_BENCH_CREATE_ONLY=1: the scheduler's bundle is uninstalled first and only the creates are
# timed: the API server's ceiling for the same pods with the same simulated nodes watching.
set -euo pipefail
pods=${1:-10000}
nodes=${2:-1000}
clients=${3:-32}
root=$(cd "$(dirname "$0")/../.." && pwd -P)
bench="$root/itests/api-bench"
dist=$(ls -d "$root"/distribution/target/kubundle-*/ 2>/dev/null | grep -v tar.gz | head -n 1 || true)
[ -n "$dist" ] && [ -x "$dist/bin/kubundle" ] || { echo "no distribution: run mvn package -DskipTests first" >&2; exit 1; }

mvn -q -B -o -f "$bench/pom.xml" compile dependency:build-classpath -Dmdep.outputFile="$bench/target/classpath.txt" 2>/dev/null \
  || mvn -q -B -f "$bench/pom.xml" compile dependency:build-classpath -Dmdep.outputFile="$bench/target/classpath.txt"

work=$(mktemp -d)
pid=
sim=
cleanup() {
  if [ -n "$sim" ]; then kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; fi
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
umask 077
printf '%s,bench,bench-uid,"system:masters"\n' "$token" > "$work/tokens.csv"

"$dist/bin/kubundle" up --data-dir "$work" --port "$port" > "$work/out" 2>&1 &
pid=$!
until grep -q ' ready in ' "$work/out"; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/out" >&2; exit 1; }
  sleep 0.1
done
java_pid=$(pgrep -P "$pid" java || echo "$pid")
"$dist/bin/kubundle" sim-nodes --kubeconfig "$work/kubeconfig" --count "$nodes" --data-dir "$work/sim" > "$work/sim.out" 2>&1 &
sim=$!

echo "Scheduler benchmark: $pods pods onto $nodes simulated nodes; $(nproc) cores, $(java -version 2>&1 | head -n 1);" \
  "kubundle up on 127.0.0.1:$port, $(sed -n 's/.*\( ready in [0-9]* ms\).*/\1/p' "$work/out" | head -n 1)"
bench_opts=
if [ -n "${SCHED_BENCH_CREATE_ONLY:-}" ]; then
  "$dist/bin/kubundle" bundles uninstall io.kubundle.scheduler --data-dir "$work"
  bench_opts=-Dschedbench.createOnly=true
fi
cpu_before=$(ps -o times= -p "$java_pid" | tr -d ' ')
status=0
KUBUNDLE_BENCH_TOKEN="$token" java -Xmx2g $bench_opts -cp "$bench/target/classes:$(cat "$bench/target/classpath.txt")" \
  io.kubundle.itests.apibench.SchedulerBench "https://127.0.0.1:$port" "$work/pki/ca.crt" "$pods" "$nodes" "$clients" || status=$?
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine shows here)"
echo "server: $(awk '/VmRSS/ {printf "RSS %.0f MiB", $2/1024}' "/proc/$java_pid/status" 2>/dev/null)," \
  "CPU $(( $(ps -o times= -p "$java_pid" | tr -d ' ') - cpu_before )) s during the run"
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
pid=
exit $status
