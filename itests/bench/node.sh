#!/usr/bin/env bash
# Benchmark: the real node of `kubundle up` (kubelet, runc, bridge network), as root:
# pod startup latency (creation to Running seen by a watch, PODS pods, image present) and the
# memory of the process and of the containers' supervisors with 0 and then MEMPODS pods running.
#   itests/bench/node.sh [PODS] [MEMPODS]      (default 30 50)
# Needs a built distribution. Works on a private copy with its own bridge, pod network and cgroup
# parent, and removes everything it made on exit.
set -euo pipefail
pods=${1:-30}
mempods=${2:-50}
. "$(dirname "$0")/lib.sh"
cp -a "$dist" "$work/dist"
dist="$work/dist/"
suffix=$(head -c 2 /dev/urandom | od -An -tx1 | tr -d ' \n')
bridge="kbb$suffix"
printf 'bridge = %s\n' "$bridge" > "$dist/etc/io.kubundle.net.bridge.cfg"
printf 'clusterCidr = 10.252.0.0/16\n' > "$dist/etc/io.kubundle.controller.nodeipam.cfg"
printf 'cgroupParent = kubundle-bench%s\nclusterCidr = 10.252.0.0/16\n' "$suffix" > "$dist/etc/io.kubundle.kubelet.cfg"
node_cleanup() {
  KUBECONFIG="$work/kubeconfig" kubectl delete pods --all --wait=true --timeout=120s > /dev/null 2>&1 || true
  bench_cleanup
  ip link delete "$bridge" 2> /dev/null || true
  for table in nat filter; do
    iptables -t "$table" -S | grep -- "-j KUBUNDLE-[A-Z]*-$bridge" | sed 's/^-A //' | while read -r rule; do
      eval "iptables -t $table -D $rule" || true
    done
    for chain in "KUBUNDLE-NAT-$bridge" "KUBUNDLE-FWD-$bridge"; do
      iptables -t "$table" -F "$chain" 2> /dev/null || true
      iptables -t "$table" -X "$chain" 2> /dev/null || true
    done
  done
  find /sys/fs/cgroup/*/kubundle-bench"$suffix" -depth -type d -exec rmdir {} + 2> /dev/null || true
}
trap node_cleanup EXIT

# the test image: Debian's static busybox as a one-layer docker archive
image=localhost/bench/busybox:1.0
. "$(dirname "$0")/busybox-image.sh"
busybox_image "$work/image" "$image"

bench_start_up --node-name bench-node --node-ip 127.0.0.1 --kubelet-port 0
"$dist/bin/kubundle" image import "$work/image/image.tar" --data-dir "$work" > /dev/null
export KUBECONFIG="$work/kubeconfig"
kubectl wait --for=condition=Ready node/bench-node --timeout=60s > /dev/null
echo "Node benchmark: $(nproc) cores, $(java -version 2>&1 | head -n 1), runc $(runc --version | head -n 1 | cut -d' ' -f3);" \
  "kubundle up on 127.0.0.1:$port,$up_ready"

supervisors_rss() {
  local total=0
  for pid in $(pgrep -f "$work/runtime" || true); do
    total=$((total + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2> /dev/null || echo 0)))
  done
  echo "$((total / 1024)) MiB (PSS) in $(pgrep -fc "$work/runtime" || echo 0) supervisor processes"
}
sleep 5
echo "0 pods: $(bench_server_figures)"
bench_java PodStartupBench "$pods" "$image"
kubectl delete pods --all --wait=true --timeout=120s > /dev/null
for i in $(seq 1 "$mempods"); do
  printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: mem-%s}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - {name: c, image: %s, command: [sleep, "3600"]}\n---\n' "$i" "$image"
done > "$work/mem.yaml"
kubectl apply -f "$work/mem.yaml" > /dev/null
kubectl wait --for=condition=Ready pods --all --timeout=300s > /dev/null
sleep 5
echo "$mempods pods: $(bench_server_figures); containers' supervisors: $(supervisors_rss)"
