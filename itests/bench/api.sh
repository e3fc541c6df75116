#!/usr/bin/env bash
# Benchmark: the API server's create/get/list latency under open-loop load, LIST of 10,000 pods,
# and watch fan-out (100 watchers at 500 events/s), against `kubundle up` on 127.0.0.1.
#   itests/bench/api.sh [SECONDS]      (default 20: seconds per latency row and of the watch run)
# Needs a built distribution (mvn package -DskipTests). Starts bin/kubundle up as lib.sh says;
# runs itests/api-bench (ApiBench) against it; then stops the server and removes the data dir.
# With API_BENCH_JSTACK=<file>, jstack samples of the server during extra, untimed full LISTs are
# written to that file. BENCH_JAVA_OPTS passes -Dapibench.pods=, .podClients=, .watchers=,
# .watchRate= (for a quick check).
set -euo pipefail
seconds=${1:-20}
. "$(dirname "$0")/lib.sh"
bench_start_up
echo "API server benchmark: ${seconds} s per run; $(nproc) cores, $(java -version 2>&1 | head -n 1);" \
  "kubundle up on 127.0.0.1:$port,$up_ready"
bench_java ApiBench "$seconds" "$java_pid"
bench_server_figures
