#!/usr/bin/env bash
# Benchmark: the API server's create/get/list latency under open-loop load, LIST of 10,000 pods,
# and watch fan-out (100 watchers at 500 events/s), against `kubundle up` on 127.0.0.1.
#   itests/bench/api.sh [SECONDS]      (default 20: seconds per latency row and of the watch run)
# Needs a built distribution (mvn install -DskipTests). Starts bin/kubundle up on a fresh data dir
# and a free loopback port, with a tokens.csv holding one random token of group system:masters;
# runs itests/api-bench (ApiBench) against https://127.0.0.1:<port>, trusting <data-dir>/pki/ca.crt;
# then stops the server (SIGTERM) and removes the data dir. With API_BENCH_JSTACK=<file>, jstack
# samples of the server during extra, untimed full LISTs are written to that file.
# API_BENCH_JAVA_OPTS passes -Dapibench.pods=, .podClients=, .watchers=, .watchRate= (for a quick check).
set -euo pipefail
seconds=${1:-20}
root=$(cd "$(dirname "$0")/../.." && pwd -P)
bench="$root/itests/api-bench"
dist=$(ls -d "$root"/distribution/target/kubundle-*/ 2>/dev/null | grep -v tar.gz | head -n 1 || true)
[ -n "$dist" ] && [ -x "$dist/bin/kubundle" ] || { echo "no distribution: run mvn install -DskipTests first" >&2; exit 1; }

mvn -q -B -f "$bench/pom.xml" compile dependency:build-classpath -Dmdep.outputFile="$bench/target/classpath.txt"

work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# a free port on loopback: bind port 0 and take what the kernel gives
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
umask 077
printf '%s,bench,bench-uid,"system:masters"\n' "$token" > "$work/tokens.csv"

"$dist/bin/kubundle" up --data-dir "$work" --port "$port" > "$work/out" 2>&1 &
pid=$!
until grep -q ' ready in ' "$work/out"; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/out" >&2; exit 1; }
  sleep 0.05
done
java_pid=$(pgrep -P "$pid" java || echo "$pid")

echo "API server benchmark: ${seconds} s per run; $(nproc) cores, $(java -version 2>&1 | head -n 1);" \
  "kubundle up on 127.0.0.1:$port, $(sed -n 's/.*\( ready in [0-9]* ms\).*/\1/p' "$work/out" | head -n 1)"
KUBUNDLE_BENCH_TOKEN="$token" java -Xmx2g ${API_BENCH_JAVA_OPTS:-} -cp "$bench/target/classes:$(cat "$bench/target/classpath.txt")" \
  io.kubundle.itests.apibench.ApiBench "https://127.0.0.1:$port" "$work/pki/ca.crt" "$seconds" "$java_pid"
echo "server: $(awk '/VmRSS/ {printf "RSS %.0f MiB", $2/1024}' "/proc/$java_pid/status" 2>/dev/null)," \
  "CPU $(ps -o times= -p "$java_pid" | tr -d ' ') s in total"
