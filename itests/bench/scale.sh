#!/usr/bin/env bash
# Benchmark: the cluster at scale, against `kubundle up` on 127.0.0.1 and simulated nodes:
# NODES nodes Ready (timed from sim-nodes' start), a Deployment of PODS replicas all Running,
# the master's memory then, and a rollout of ROLLOUT replicas to a new image.
#   itests/bench/scale.sh [NODES] [PODS] [ROLLOUT]     (default 2000 5000 1000)
# Needs a built distribution (mvn package -DskipTests). Starts bin/kubundle up as lib.sh says and
# `kubundle sim-nodes --count NODES` against it (a second process); runs itests/api-bench's
# ScaleBench; then stops both processes and removes the data.
set -euo pipefail
nodes=${1:-2000}
pods=${2:-5000}
rollout=${3:-1000}
. "$(dirname "$0")/lib.sh"
bench_start_up
echo "Scale benchmark: $nodes simulated nodes, $pods pods, a rollout of $rollout; $(nproc) cores," \
  "$(java -version 2>&1 | head -n 1); kubundle up on 127.0.0.1:$port,$up_ready"
bench_start_sim "$nodes"
status=0
bench_java ScaleBench "$nodes" "$pods" "$rollout" "$sim_started_ms" "$java_pid" || status=$?
echo "sim-nodes: $(awk '/VmRSS/ {printf "RSS %.0f MiB", $2/1024}' "/proc/$(pgrep -P "$sim_pid" java || echo "$sim_pid")/status" 2>/dev/null)"
bench_server_figures
exit $status
