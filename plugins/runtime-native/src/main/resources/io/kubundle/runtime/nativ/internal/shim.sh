# The supervisor of one container, started detached (setsid) so that it outlives the JVM and the
# bundle. It starts the container's log writer on the output FIFOs, starts the container (the
# command after its own arguments: nsenter, unshare, init.sh) in the container's cgroups, waits for
# it to learn the exit status, waits until the writer wrote everything the container printed (both
# streams ended: the container's processes are all gone) and only then records the exit status
# with the OOM kill count, so an exit status means "all output is in the log".
# Arguments: container directory, memory cgroup directory, cpu cgroup directory, log file, the log
# writer's arguments after the log file (words without blanks, split by the shell: stdout=stdout
# ...), command...
dir=$1 memcg=$2 cpucg=$3 log=$4 writerargs=$5
shift 5
cd "$dir" || exit 1
# Held until the writer holds them too: it never waits for a writer to open them, and a container
# that ends before the writer started cannot take its output with it.
exec 3<>stdout 4<>stderr
echo $$ > shim.pid.tmp && mv shim.pid.tmp shim.pid
# The writer also holds the stdin FIFO (if any) for writing and serves attaches on attach.sock.
perl log-writer.pl "$log" $writerargs </dev/null >writer.ready 3>&- 4>&- &
writer=$!
until [ -s writer.ready ]; do
    # sh reaps no child before "wait": a writer that died is a zombie ("Z" in its stat)
    if [ "$(cut -d' ' -f3 /proc/$writer/stat 2>/dev/null)" = Z ]; then
        echo "the log writer did not start (see shim.log)" > init.log
        echo "127 0" > exit.tmp && mv exit.tmp exit
        exit 1
    fi
    sleep 0.01
done
# fd 5 is the container's stdin: a background command's own stdin would be /dev/null. Read-only
# (the writer holds the write end, so this does not wait): the container sees an end-of-file when
# the writer closes stdin (stdinOnce), and nobody but the writer keeps it open.
if [ -p stdin ]; then exec 5<stdin; else exec 5</dev/null; fi
# The child joins the container's cgroups before it becomes the container, so that everything the
# container forks is counted there; the shim itself stays out of them.
/bin/sh -c 'echo $$ > "$1/cgroup.procs" && echo $$ > "$2/cgroup.procs" && shift 2 && exec "$@"' \
    join "$memcg" "$cpucg" "$@" <&5 >&3 2>&4 3>&- 4>&- 5>&- &
container=$!
# From now on only the container holds the output pipes: the writer sees their ends when it is gone.
exec 3>&- 4>&- 5>&-
wait $container
code=$?
# We made the memory cgroup and only the runtime removes it, so its OOM kill counter is still there.
oom=$(sed -n 's/^oom_kill //p' "$memcg/memory.oom_control")
wait $writer
echo "$code ${oom:-0}" > exit.tmp && mv exit.tmp exit
