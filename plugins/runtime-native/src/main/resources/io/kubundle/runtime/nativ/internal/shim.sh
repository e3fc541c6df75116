# The supervisor of one container, started detached (setsid) so that it outlives the JVM and the
# bundle. It holds the output FIFOs open for reading and writing while the container runs, so a
# writer never gets EPIPE while no reader is attached (the bytes wait in the pipe); starts the
# container (the command after its own arguments: nsenter, unshare, init.sh) in the container's
# cgroups; waits for it to learn the exit status and records it with the OOM kill count; then
# keeps the FIFOs open until the runtime acknowledges that it drained them (file "ack").
# Arguments: container directory, memory cgroup directory, cpu cgroup directory, command...
dir=$1 memcg=$2 cpucg=$3
shift 3
cd "$dir" || exit 1
exec 3<>stdout 4<>stderr
# fd 5 is the container's stdin: a background command's own stdin would be /dev/null.
if [ -p stdin ]; then exec 5<>stdin; else exec 5</dev/null; fi
echo $$ > shim.pid.tmp && mv shim.pid.tmp shim.pid
# The child joins the container's cgroups before it becomes the container, so that everything the
# container forks is counted there; the shim itself stays out of them.
/bin/sh -c 'echo $$ > "$1/cgroup.procs" && echo $$ > "$2/cgroup.procs" && shift 2 && exec "$@"' \
    join "$memcg" "$cpucg" "$@" <&5 >&3 2>&4 3>&- 4>&- 5>&- &
wait $!
code=$?
# We made the memory cgroup and only the runtime removes it, so its OOM kill counter is still there.
oom=$(sed -n 's/^oom_kill //p' "$memcg/memory.oom_control")
echo "$code ${oom:-0}" > exit.tmp && mv exit.tmp exit
# Quick at first (the runtime acknowledges within ~100 ms when it runs), then slow: a runtime that
# is down may be down for long.
n=0
until [ -e ack ]; do
    if [ $n -lt 50 ]; then n=$((n + 1)); sleep 0.1; else sleep 1; fi
done
