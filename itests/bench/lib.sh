# Shared by the benchmark scripts that run against a real `kubundle up` (source it, then call
# bench_start_up). Starts bin/kubundle up on a fresh data dir and a free loopback port, with a
# tokens.csv holding one random token of group system:masters; stops everything it started and
# removes the data dir on exit.
#   bench_start_up [UP_FLAGS...]  sets work, port, token, up_pid, java_pid
#   bench_start_sim NODES         starts `kubundle sim-nodes --count NODES`; sets sim_pid, sim_started_ms
#   bench_java CLASS ARGS...      runs an itests/api-bench main class with the token in its environment
#   bench_server_figures          prints the server's RSS and CPU seconds so far
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
bench="$root/itests/api-bench"
dist=$(ls -d "$root"/distribution/target/kubundle-*/ 2>/dev/null | grep -v tar.gz | head -n 1 || true)
[ -n "$dist" ] && [ -x "$dist/bin/kubundle" ] || { echo "no distribution: run mvn package -DskipTests first" >&2; exit 1; }

mvn -q -B -o -f "$bench/pom.xml" compile dependency:build-classpath -Dmdep.outputFile="$bench/target/classpath.txt" 2>/dev/null \
  || mvn -q -B -f "$bench/pom.xml" compile dependency:build-classpath -Dmdep.outputFile="$bench/target/classpath.txt"

work=$(mktemp -d)
up_pid=
sim_pid=
bench_cleanup() {
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  if [ -n "$up_pid" ]; then kill "$up_pid" 2>/dev/null || true; wait "$up_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap bench_cleanup EXIT

bench_start_up() {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (umask 077; printf '%s,bench,bench-uid,"system:masters"\n' "$token" > "$work/tokens.csv")
  "$dist/bin/kubundle" up --data-dir "$work" --port "$port" "$@" > "$work/out" 2>&1 &
  up_pid=$!
  until grep -q ' ready in ' "$work/out"; do
    kill -0 "$up_pid" 2>/dev/null || { cat "$work/out" >&2; exit 1; }
    sleep 0.05
  done
  java_pid=$(pgrep -P "$up_pid" java || echo "$up_pid")
  up_ready=$(sed -n 's/.*\( ready in [0-9]* ms\).*/\1/p' "$work/out" | head -n 1)
}

bench_start_sim() {
  sim_started_ms=$(date +%s%3N)
  "$dist/bin/kubundle" sim-nodes --kubeconfig "$work/kubeconfig" --count "$1" --data-dir "$work/sim" > "$work/sim.out" 2>&1 &
  sim_pid=$!
}

bench_java() {
  local class=$1
  shift
  KUBUNDLE_BENCH_TOKEN="$token" java -Xmx2g ${BENCH_JAVA_OPTS:-} -cp "$bench/target/classes:$(cat "$bench/target/classpath.txt")" \
    "io.kubundle.itests.apibench.$class" "https://127.0.0.1:$port" "$work/pki/ca.crt" "$@"
}

bench_server_figures() {
  echo "server: $(awk '/VmRSS/ {printf "RSS %.0f MiB", $2/1024}' "/proc/$java_pid/status" 2>/dev/null)," \
    "CPU $(ps -o times= -p "$java_pid" | tr -d ' ') s in total; load average $(cut -d' ' -f1-3 /proc/loadavg)"
}
