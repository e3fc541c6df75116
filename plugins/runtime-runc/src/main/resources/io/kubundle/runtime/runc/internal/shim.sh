# The supervisor of one container, started detached (setsid) so that it outlives the JVM.
# It starts the container's log writer on the output FIFOs, runs runc in the foreground to learn
# the exit status, waits until the writer wrote everything the container printed (both streams
# ended: the container's processes are all gone) and only then records the exit status with the
# container's OOM kill count, so an exit status means "all output is in the log".
# Arguments: container directory, memory cgroup directory, "tty" or "", the runc run command line
# (quoted for sh), the log file, the log writer's arguments after the log file (words without
# blanks, split by the shell: stdout=stdout ...).
dir=$1 memcg=$2 tty=$3 run=$4 log=$5 writerargs=$6
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
        echo '{"level":"error","msg":"runc run failed: the log writer did not start (see shim.log)"}' >> runc.log
        echo "127 0" > exit.tmp && mv exit.tmp exit
        exit 1
    fi
    sleep 0.01
done
# fd 5 is the container's stdin: a background command's own stdin would be /dev/null. Read-only
# (the writer holds the write end, so this does not wait): the container sees an end-of-file when
# the writer closes stdin (stdinOnce), and nobody but the writer keeps it open.
if [ -p stdin ]; then exec 5<stdin; else exec 5</dev/null; fi
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
runc=$!
# From now on only the container holds the output pipes: the writer sees their ends when it is gone.
exec 3>&- 4>&- 5>&-
wait $runc
code=$?
oom=$(sed -n 's/^oom_kill //p' "$memcg/memory.oom_control")
kill $holder
wait $holder
[ $? -eq 137 ] && oom=$((${oom:-0} + 1))
rmdir "$memcg"
wait $writer
echo "$code ${oom:-0}" > exit.tmp && mv exit.tmp exit
