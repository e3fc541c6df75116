#!/usr/bin/env bash
# Benchmark: pod-to-pod TCP throughput across the VXLAN overlay of a `kubundle cluster create`
# against the same transfer between two pods on one node, as a ratio (issue 6's goal: 0.8 or more).
# Each transfer is MIB MiB over one TCP connection, ROUNDS times; the best of each is kept.
#   itests/bench/overlay.sh [MIB] [ROUNDS]      (default 2048 3)
# Needs a built distribution and root; makes a cluster of its own and deletes it on exit.
set -euo pipefail
mib=${1:-2048}
rounds=${2:-3}
root=$(cd "$(dirname "$0")/../.." && pwd -P)
dist=$(ls -d "$root"/distribution/target/kubundle-*/ 2>/dev/null | grep -v tar.gz | head -n 1 || true)
[ -n "$dist" ] && [ -x "$dist/bin/kubundle" ] || { echo "no distribution: run mvn package -DskipTests first" >&2; exit 1; }
work=$(mktemp -d)
name="bench$(head -c 2 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cleanup() {
  "$dist/bin/kubundle" cluster delete --name "$name" --clusters-dir "$work/clusters" > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

image=localhost/bench/busybox:1.0
. "$(dirname "$0")/busybox-image.sh"
busybox_image "$work/image" "$image"
"$dist/bin/kubundle" cluster create --name "$name" --nodes 2 --clusters-dir "$work/clusters" --image "$work/image/image.tar" \
  > /dev/null 2> "$work/create.log" || { cat "$work/create.log" >&2; exit 1; }
export KUBECONFIG="$work/clusters/$name/kubeconfig"

pod() {  # NAME NODE: a pod pinned to the node
  printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n  nodeName: %s\n  containers:\n  - {name: c, image: %s, command: ["sleep", "3600"]}\n' \
    "$1" "$2" "$image" | kubectl apply -f - > /dev/null
}
pod server "$name-worker"
pod near "$name-worker"
pod far "$name-worker2"
kubectl wait --for=condition=Ready pod/server pod/near pod/far --timeout=120s > /dev/null
server_ip=$(kubectl get pod server -o jsonpath='{.status.podIP}')
netns() { echo "kubundle-$(kubectl get pod "$1" -o jsonpath='{.metadata.uid}')"; }

# The sender and receiver are the host's python3 run in the pods' network namespaces
# (/run/netns/kubundle-UID): the packets take the pods' own path (veth, bridge, VXLAN), and the
# measurement is not limited by busybox's tools. The receiver counts; the sender times from its
# first byte until the receiver has closed, so everything sent was received.
ip netns exec "$(netns server)" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 5001)); s.listen()
buf = bytearray(1 << 20)
while True:
    c, _ = s.accept()
    while c.recv_into(buf):
        pass
    c.close()
' &
receiver=$!
trap 'kill $receiver 2> /dev/null || true; cleanup' EXIT
sleep 1

transfer() {  # POD: MiB/s from that pod to the server pod
  ip netns exec "$(netns "$1")" python3 -c '
import socket, sys, time
c = socket.create_connection((sys.argv[1], 5001)); block = bytes(1 << 20); n = int(sys.argv[2])
start = time.monotonic()
for _ in range(n):
    c.sendall(block)
c.shutdown(socket.SHUT_WR); c.recv(1)
print(round(n / (time.monotonic() - start)))
' "$server_ip" "$mib"
}
best() {
  local top=0 value
  for _ in $(seq "$rounds"); do
    value=$(transfer "$1")
    [ "$value" -gt "$top" ] && top=$value
  done
  echo "$top"
}
same=$(best near)
across=$(best far)
echo "Overlay benchmark: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $mib MiB per transfer, best of $rounds"
echo "pod to pod on one node:        $same MiB/s"
echo "pod to pod across the overlay: $across MiB/s"
echo "$across $same" | awk '{printf "ratio across/same: %.2f\n", $1 / $2}'
