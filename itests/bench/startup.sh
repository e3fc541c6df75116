#!/usr/bin/env bash
# Benchmark: time from start to "ready" and resident memory of `kubundle up` with no workload.
#   itests/bench/startup.sh [RUNS] [IDLE_SECONDS]     (needs a built distribution: mvn package)
# Each run starts bin/kubundle up on a fresh data dir and measures
#   wall    time from spawning the process to its "ready" line (what a user waits for)
#   jvm     the launcher's own figure: JVM start to ready
#   rss     VmRSS right after ready, and again after IDLE_SECONDS of idling
# then stops it with SIGTERM. Prints each run and the median, min and max.
set -euo pipefail
runs=${1:-10}
idle=${2:-10}
root=$(cd "$(dirname "$0")/../.." && pwd -P)
dist=$(ls -d "$root"/distribution/target/kubundle-*/ | grep -v tar.gz | head -n 1)
[ -x "$dist/bin/kubundle" ] || { echo "no distribution: run mvn package first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now_ms() { date +%s%3N; }
stats() { sort -n | awk '{a[NR]=$1} END {printf "median %s, min %s, max %s", a[int((NR+1)/2)], a[1], a[NR]}'; }

echo "kubundle up, no workload: $runs runs, $(nproc) cores, $(java -version 2>&1 | head -n 1)"
printf '%-4s %8s %8s %10s %14s\n' run wall_ms jvm_ms rss_mib "rss_${idle}s_mib"
: > "$work/results"
for i in $(seq 1 "$runs"); do
  data="$work/data-$i"
  start=$(now_ms)
  "$dist/bin/kubundle" up --data-dir "$data" > "$work/out-$i" 2>&1 &
  pid=$!
  until grep -q ' ready in ' "$work/out-$i"; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/out-$i" >&2; exit 1; }
    sleep 0.01
  done
  wall=$(( $(now_ms) - start ))
  jvm=$(sed -n 's/.* ready in \([0-9]*\) ms.*/\1/p' "$work/out-$i")
  java_pid=$(pgrep -P "$pid" java || echo "$pid")
  rss=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$java_pid/status")
  sleep "$idle"
  rss_idle=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$java_pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf '%-4s %8s %8s %10s %14s\n' "$i" "$wall" "$jvm" "$rss" "$rss_idle"
  echo "$wall $jvm $rss $rss_idle" >> "$work/results"
done
echo "wall ms:          $(cut -d' ' -f1 "$work/results" | stats)"
echo "jvm-to-ready ms:  $(cut -d' ' -f2 "$work/results" | stats)"
echo "rss MiB at ready: $(cut -d' ' -f3 "$work/results" | stats)"
echo "rss MiB idle:     $(cut -d' ' -f4 "$work/results" | stats)"
