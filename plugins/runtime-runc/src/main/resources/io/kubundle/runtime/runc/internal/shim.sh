# The supervisor of one container, started detached (setsid) so that it outlives the JVM.
# It holds the output FIFOs open for reading and writing while the container runs, so a writer
# never gets EPIPE while no reader is attached (the bytes wait in the pipe), runs runc in the
# foreground to learn the exit status, and records it with the container's OOM kill count.
# It then keeps the FIFOs open until the runtime acknowledges that it drained them (file "ack").
# Arguments: container directory, memory cgroup directory, "tty" or "", the runc run command line
# (quoted for sh).
dir=$1 memcg=$2 tty=$3 run=$4
cd "$dir" || exit 1
exec 3<>stdout 4<>stderr
# fd 5 is the container's stdin: a background command's own stdin would be /dev/null.
if [ -p stdin ]; then exec 5<>stdin; else exec 5</dev/null; fi
echo $$ > shim.pid.tmp && mv shim.pid.tmp shim.pid
# The kernel counts an OOM kill in the victim's own memory cgroup, which runc deletes when the
# container ends. A holder process (forked while we visit that cgroup) keeps it, and its oom_kill
# counter, until we have read it. Should the OOM killer take the holder too (it does once the
# container's processes are all dying and the cgroup is still over its limit), its SIGKILL says so.
own=/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
echo $$ > "$memcg/cgroup.procs"
sleep infinity 3>&- 4>&- 5>&- </dev/null &
holder=$!
echo $$ > "$own/cgroup.procs"
if [ "$tty" = tty ]; then
    # runc gives a terminal only to a caller that has one: script(1) makes it (stderr merges into it).
    script --quiet --flush --return --command "$run" /dev/null <&5 >&3 2>&4 &
else
    eval "$run" <&5 >&3 2>&4 &
fi
wait $!
code=$?
oom=$(sed -n 's/^oom_kill //p' "$memcg/memory.oom_control")
kill $holder
wait $holder
[ $? -eq 137 ] && oom=$((${oom:-0} + 1))
rmdir "$memcg"
echo "$code ${oom:-0}" > exit.tmp && mv exit.tmp exit
# Quick at first (the runtime acknowledges within ~100 ms when it runs), then slow: a runtime that
# is down may be down for long.
n=0
until [ -e ack ]; do
    if [ $n -lt 50 ]; then n=$((n + 1)); sleep 0.1; else sleep 1; fi
done
