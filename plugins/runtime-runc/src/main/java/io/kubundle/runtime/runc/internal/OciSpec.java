package io.kubundle.runtime.runc.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.api.runtime.Mount;
import io.kubundle.api.runtime.Resources;
import io.kubundle.runtime.support.Records;

/**
 * Builds a container's OCI runtime config ({@code config.json}) from the runtime spec's defaults
 * as {@code runc spec} writes them, the image's config and the container's, merged as Docker does.
 */
final class OciSpec {
    /**
     * containerd's (and Docker's) default capabilities, which Kubernetes users expect: images that
     * chown at start or drop to another user (nginx) need more than {@code runc spec}'s three, and
     * {@code ping} needs {@code CAP_NET_RAW}.
     */
    private static final List<String> DEFAULT_CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
            "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    /** Every capability, indexed by its number. */
    private static final List<String> CAPS_BY_NUMBER = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
            "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
            "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
            "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    private OciSpec() {
    }

    /** Where the container's /etc files come from. */
    record EtcFiles(Path hosts, Path resolvConf, Path hostname) {
    }

    /**
     * The uid and gid: the config's, else the image's user ({@code uid}, {@code uid:gid}, names
     * looked up in the root file system's /etc/passwd and /etc/group), else root.
     */
    static long[] user(ContainerConfig.Security security, String imageUser, Path rootfs) throws IOException {
        long uid = 0;
        long gid = 0;
        String user = imageUser == null ? "" : imageUser;
        String userPart = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
        String groupPart = user.contains(":") ? user.substring(user.indexOf(':') + 1) : "";
        if (security.runAsUser() != null) {
            uid = security.runAsUser();
            gid = lookup(rootfs.resolve("etc/passwd"), Long.toString(uid), 2, 3).orElse(0L);
        } else if (!userPart.isEmpty()) {
            uid = numberOrName(userPart, rootfs.resolve("etc/passwd"), 2);
            gid = lookup(rootfs.resolve("etc/passwd"), userPart, userPart.matches("\\d+") ? 2 : 0, 3).orElse(0L);
        }
        if (security.runAsGroup() != null) {
            gid = security.runAsGroup();
        } else if (security.runAsUser() == null && !groupPart.isEmpty()) {
            gid = numberOrName(groupPart, rootfs.resolve("etc/group"), 2);
        }
        return new long[] {uid, gid};
    }

    private static long numberOrName(String value, Path file, int idField) throws IOException {
        if (value.matches("\\d+")) {
            return Long.parseLong(value);
        }
        return lookup(file, value, 0, idField)
                .orElseThrow(() -> new IOException("no " + value + " in the image's /etc/" + file.getFileName()));
    }

    /**
     * In a passwd-style file of the image, the numeric field {@code result} of the line whose field
     * {@code key} is {@code value}. A file that is missing or a link out of the image counts as empty.
     */
    private static Optional<Long> lookup(Path file, String value, int key, int result) throws IOException {
        Path rootfs = file.getParent().getParent();
        if (!Files.isRegularFile(file) || !file.toRealPath().startsWith(rootfs.toRealPath())) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(file)) {
            String[] fields = line.split(":", -1);
            if (fields.length > Math.max(key, result) && fields[key].equals(value) && fields[result].matches("\\d+")) {
                return Optional.of(Long.parseLong(fields[result]));
            }
        }
        return Optional.empty();
    }

    static ObjectNode build(ContainerConfig config, Records.Process process, Path rootfs, String hostname, String netnsPath,
            String cgroupsPath, EtcFiles etc) {
        ObjectNode spec = Records.JSON.createObjectNode();
        spec.put("ociVersion", "1.0.2-dev");
        ObjectNode proc = spec.putObject("process");
        proc.put("terminal", config.tty());
        proc.putObject("user").put("uid", process.uid()).put("gid", process.gid());
        strings(proc.putArray("args"), process.args());
        strings(proc.putArray("env"), process.env());
        proc.put("cwd", process.cwd());
        List<String> caps = config.security().privileged() ? ownCapabilities() : DEFAULT_CAPS;
        ObjectNode capabilities = proc.putObject("capabilities");
        // no inheritable or ambient set, as containerd: a non-root user gets no capabilities
        for (String set : List.of("bounding", "effective", "permitted")) {
            strings(capabilities.putArray(set), caps);
        }
        // No rlimits and no_new_privs off, as Kubernetes with containerd: the process inherits the
        // runtime's limits (the JVM raises its open files to the maximum; servers such as
        // Elasticsearch need far more than runc spec's 1024) and setuid programs work
        // (allowPrivilegeEscalation defaults to true).
        proc.put("noNewPrivileges", false);

        spec.putObject("root").put("path", rootfs.toString()).put("readonly", config.security().readOnlyRootFilesystem());
        if (netnsPath != null) {
            spec.put("hostname", hostname);
        }
        mounts(spec.putArray("mounts"), config, etc, netnsPath != null);

        ObjectNode linux = spec.putObject("linux");
        linux.put("cgroupsPath", "/" + cgroupsPath);
        resources(linux.putObject("resources"), config.resources(), config.security().privileged());
        ArrayNode namespaces = linux.putArray("namespaces");
        for (String type : List.of("pid", "ipc", "mount")) {
            namespaces.addObject().put("type", type);
        }
        if (netnsPath != null) {
            namespaces.addObject().put("type", "uts");
            namespaces.addObject().put("type", "network").put("path", netnsPath);
        }
        String propagation = rootPropagation(config.mounts());
        if (propagation != null) {
            linux.put("rootfsPropagation", propagation);
        }
        if (!config.security().privileged()) {
            strings(linux.putArray("maskedPaths"), List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                    "/sys/firmware", "/proc/scsi"));
            strings(linux.putArray("readonlyPaths"), List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                    "/proc/sysrq-trigger"));
        }
        return spec;
    }

    /**
     * What a privileged container gets: every capability this process may hand on (its bounding
     * set), as containerd does; asking for more makes runc fail where root is itself confined.
     */
    private static List<String> ownCapabilities() {
        long bounding = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapBnd:")) {
                    bounding = Long.parseUnsignedLong(line.substring("CapBnd:".length()).strip(), 16);
                }
            }
        } catch (IOException unreadable) {
            // keep them all
        }
        List<String> caps = new ArrayList<>();
        for (int i = 0; i < CAPS_BY_NUMBER.size(); i++) {
            if ((bounding & (1L << i)) != 0) {
                caps.add(CAPS_BY_NUMBER.get(i));
            }
        }
        return caps;
    }

    private static void mounts(ArrayNode mounts, ContainerConfig config, EtcFiles etc, boolean ownNetwork) {
        mount(mounts, "/proc", "proc", "proc", List.of());
        mount(mounts, "/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
        mount(mounts, "/dev/pts", "devpts", "devpts",
                List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
        mount(mounts, "/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
        mount(mounts, "/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev"));
        // sysfs shows the network namespace of whoever mounts it: a host-network container binds the host's.
        if (ownNetwork) {
            mount(mounts, "/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro"));
        } else {
            mount(mounts, "/sys", "bind", "/sys", List.of("rbind", "nosuid", "noexec", "nodev", "ro"));
        }
        mount(mounts, "/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro"));
        mount(mounts, "/etc/hosts", "bind", etc.hosts().toString(), List.of("rbind", "rprivate"));
        mount(mounts, "/etc/resolv.conf", "bind", etc.resolvConf().toString(), List.of("rbind", "rprivate"));
        mount(mounts, "/etc/hostname", "bind", etc.hostname().toString(), List.of("rbind", "rprivate"));
        for (Mount m : config.mounts()) {
            List<String> options = new ArrayList<>(List.of("rbind", propagation(m.propagation())));
            if (m.readOnly()) {
                options.add("ro");
            }
            mount(mounts, m.containerPath(), "bind", m.hostPath(), options);
        }
    }

    private static String propagation(String kubernetes) {
        return switch (kubernetes == null ? "private" : kubernetes) {
            case "rslave" -> "rslave";
            case "rshared" -> "rshared";
            default -> "rprivate";
        };
    }

    /** A bind mount can only propagate as far as the root's mount lets it. */
    private static String rootPropagation(List<Mount> mounts) {
        if (mounts.stream().anyMatch(m -> "rshared".equals(m.propagation()))) {
            return "rshared";
        }
        return mounts.stream().anyMatch(m -> "rslave".equals(m.propagation())) ? "rslave" : null;
    }

    private static void mount(ArrayNode mounts, String destination, String type, String source, List<String> options) {
        ObjectNode mount = mounts.addObject().put("destination", destination).put("type", type).put("source", source);
        if (!options.isEmpty()) {
            strings(mount.putArray("options"), options);
        }
    }

    private static void resources(ObjectNode resources, Resources limits, boolean privileged) {
        resources.putArray("devices").addObject().put("allow", privileged).put("access", "rwm");
        ObjectNode cpu = resources.putObject("cpu");
        if (limits.cpuShares() > 0) {
            cpu.put("shares", limits.cpuShares());
        }
        if (limits.cpuQuotaMicros() > 0) {
            cpu.put("quota", limits.cpuQuotaMicros());
            cpu.put("period", limits.cpuPeriodMicros() > 0 ? limits.cpuPeriodMicros() : 100_000);
        }
        if (limits.memoryLimitBytes() > 0) {
            resources.putObject("memory").put("limit", limits.memoryLimitBytes());
        }
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
