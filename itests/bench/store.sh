#!/usr/bin/env bash
# Benchmark: durable writes/s and latency of the embedded store against etcd 3.4, same disk, same client code.
#   itests/bench/store.sh [SECONDS] [CLIENTS] [VALUE_BYTES]      (defaults: 10 "1,100" 256)
# Needs a build (mvn install -DskipTests). Installs Debian's etcd-server if etcd is missing, starts it
# on 127.0.0.1 with a fresh data dir beside the embedded store's, and stops and removes it after.
# Each client thread creates new keys one after another and waits for each to be durable; etcd gets
# the API server's create (a transaction: put if the key's version is 0) over its gRPC API (jetcd).
set -euo pipefail
seconds=${1:-10}
clients=${2:-1,100}
value=${3:-256}
root=$(cd "$(dirname "$0")/../.." && pwd -P)
bench="$root/itests/store-bench"

if ! command -v etcd >/dev/null; then
  apt-get install -y etcd-server >/dev/null || { apt-get update >/dev/null && apt-get install -y etcd-server >/dev/null; }
fi
mvn -q -B -f "$bench/pom.xml" compile dependency:build-classpath -Dmdep.outputFile="$bench/target/classpath.txt"

work="$bench/target/bench-data"
rm -rf "$work"
mkdir -p "$work/etcd"
client_port=23790
peer_port=23800
etcd --name bench --data-dir "$work/etcd" \
  --listen-client-urls "http://127.0.0.1:$client_port" --advertise-client-urls "http://127.0.0.1:$client_port" \
  --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
  --initial-cluster "bench=http://127.0.0.1:$peer_port" --logger zap --log-level error >"$work/etcd.log" 2>&1 &
etcd_pid=$!
trap 'kill "$etcd_pid" 2>/dev/null; wait "$etcd_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$client_port/health" >/dev/null 2>&1 && break
  kill -0 "$etcd_pid" 2>/dev/null || { cat "$work/etcd.log" >&2; exit 1; }
  sleep 0.1
done

echo "store benchmark: ${seconds} s per run, clients $clients, ${value}-byte values; $(nproc) cores," \
  "$(java -version 2>&1 | head -n 1), $(etcd --version | head -n 1), data on $(df --output=source "$work" | tail -n 1)"
java -cp "$bench/target/classes:$(cat "$bench/target/classpath.txt")" io.kubundle.itests.store.bench.StoreBench \
  "$work" "$seconds" "$value" "$clients" "http://127.0.0.1:$client_port"
