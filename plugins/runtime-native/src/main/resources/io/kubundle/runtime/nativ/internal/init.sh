# The container's first process: pid 1 of its new pid namespace, in its own mount namespace but
# still on the host's root. It mounts what the container sees under the root file system, records
# its host pid, then becomes the container's command (exec, so the command is pid 1 and gets the
# stop signal). Any failure before that exits non-zero with the reason in init.log: a StartError.
# Arguments: container directory, root file system, hostname ("" to keep the host's), whether
# the root is read-only (1/0), the host paths of the root's /proc, /dev and /sys, then
# "bind SOURCE TARGET ro|rw" four at a time, then "--" and the command line.
set -e
dir=$1 root=$2 name=$3 readonly=$4 proc=$5 dev=$6 sys=$7
shift 7
exec 6>&2 2>"$dir/init.log"
[ -z "$name" ] || echo "$name" > /proc/sys/kernel/hostname
# Our own mount of the root, so that making it read-only leaves the host's overlay mount alone.
mount --bind "$root" "$root"
mount -t proc -o nosuid,noexec,nodev proc "$proc"
mount -t tmpfs -o nosuid,strictatime,mode=755,size=65536k tmpfs "$dev"
for node in null zero full random urandom tty; do
    : > "$dev/$node"
    mount --bind "/dev/$node" "$dev/$node"
done
mkdir "$dev/pts" "$dev/shm" "$dev/mqueue"
mount -t devpts -o nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$dev/pts"
mount -t tmpfs -o nosuid,noexec,nodev,mode=1777,size=65536k shm "$dev/shm"
mount -t mqueue -o nosuid,noexec,nodev mqueue "$dev/mqueue"
ln -s pts/ptmx "$dev/ptmx"
ln -s /proc/self/fd "$dev/fd"
ln -s /proc/self/fd/0 "$dev/stdin"
ln -s /proc/self/fd/1 "$dev/stdout"
ln -s /proc/self/fd/2 "$dev/stderr"
# sysfs shows the network namespace of whoever mounts it: ours.
mount -t sysfs -o ro,nosuid,noexec,nodev sysfs "$sys"
while [ "$1" = bind ]; do
    # A target below an earlier bind mount was not there when the runtime made the targets.
    [ -e "$3" ] || mkdir -p "$3"
    mount --rbind "$2" "$3"
    [ "$4" = rw ] || mount -o remount,bind,ro "$3"
    shift 4
done
shift
[ "$readonly" = 0 ] || mount -o remount,bind,ro "$root"
# The copies of the host's network namespace mounts (/run/netns/*) would keep other pods' network
# namespaces alive as long as this container runs.
sed -n 's/^[^ ]* \([^ ]*\) nsfs .*/\1/p' /proc/self/mounts | while read -r ns; do umount -l "$ns" || true; done
# /proc here is still the host's: /proc/self/stat, opened by this shell, starts with its host pid.
read -r pid rest < /proc/self/stat
echo "$pid" > "$dir/pid.tmp"
mv "$dir/pid.tmp" "$dir/pid"
exec 2>&6 6>&-
exec "$@"
