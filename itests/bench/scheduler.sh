#!/usr/bin/env bash
# Benchmark: the scheduler's throughput and per-pod latency: 10,000 bare pods onto 1,000 simulated
# nodes, against `kubundle up` on 127.0.0.1.
#   itests/bench/scheduler.sh [PODS] [NODES] [CLIENTS]     (default 10000 1000 32)
# Needs a built distribution (mvn package -DskipTests). Starts bin/kubundle up as lib.sh says and
# `kubundle sim-nodes --count NODES` against it (a second process); runs itests/api-bench's
# SchedulerBench (waits for the nodes to be Ready, watches the pods, creates PODS pods from CLIENTS
# threads, reports pods/s from the first create to the last binding seen and the per-pod latency
# from create answered to binding seen); then stops both processes and removes the data.
# SCHED_BENCH_CREATE_ONLY=1: the scheduler's bundle is uninstalled first and only the creates are
# timed: the API server's ceiling for the same pods with the same simulated nodes watching.
set -euo pipefail
pods=${1:-10000}
nodes=${2:-1000}
clients=${3:-32}
. "$(dirname "$0")/lib.sh"
bench_start_up
bench_start_sim "$nodes"
echo "Scheduler benchmark: $pods pods onto $nodes simulated nodes; $(nproc) cores, $(java -version 2>&1 | head -n 1);" \
  "kubundle up on 127.0.0.1:$port,$up_ready"
if [ -n "${SCHED_BENCH_CREATE_ONLY:-}" ]; then
  "$dist/bin/kubundle" bundles uninstall io.kubundle.scheduler --data-dir "$work"
  BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:-} -Dschedbench.createOnly=true"
fi
cpu_before=$(ps -o times= -p "$java_pid" | tr -d ' ')
status=0
bench_java SchedulerBench "$pods" "$nodes" "$clients" || status=$?
echo "server CPU during the run: $(( $(ps -o times= -p "$java_pid" | tr -d ' ') - cpu_before )) s"
bench_server_figures
exit $status
