package io.kubundle.runtime.nativ.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.api.runtime.Mount;
import io.kubundle.runtime.support.Records;

/**
 * The command lines that make a container and enter it, from util-linux and coreutils tools:
 * {@code nsenter --net} joins the pod's network namespace ({@code unshare --net=FILE} would not),
 * {@code unshare} makes the mount, UTS, IPC and pid namespaces, {@code init.sh} mounts, and
 * {@link #enter} drops capabilities, sets the environment, chroots, changes directory and user.
 */
final class Launch {
    /** Docker's default capabilities, what a container's root keeps, as setpriv's bounding set. */
    static final String CAPABILITIES = "-all,+chown,+dac_override,+fsetid,+fowner,+mknod,+net_raw,+setgid,+setuid,"
            + "+setfcap,+setpcap,+net_bind_service,+sys_chroot,+kill,+audit_write";

    private static final String INIT = script("init.sh");
    static final String SHIM = script("shim.sh");

    private final Binaries bin;

    Launch(Binaries bin) {
        this.bin = bin;
    }

    /** Where the tools are (looked up once, in PATH and the sbin directories). */
    record Binaries(String nsenter, String unshare, String setpriv, String env) {
    }

    /** The root file system's mount points and files the container gets, made before it runs. */
    record Targets(Path proc, Path dev, Path sys, Path hosts, Path resolvConf, Path hostname) {
    }

    /**
     * The command the shim runs: into the pod's network namespace (if it has one), new namespaces,
     * init.sh's mounts, then {@link #enter}.
     *
     * @param hostname the pod's hostname, or null to share the host's UTS namespace (host network)
     */
    List<String> container(Path dir, Path rootfs, ContainerConfig config, String netnsPath, String hostname,
            Targets targets, List<Path> mountTargets, Records.Process process) {
        List<String> line = new ArrayList<>();
        if (netnsPath != null) {
            line.addAll(List.of(bin.nsenter(), "--net=" + netnsPath, "--"));
        }
        line.addAll(List.of(bin.unshare(), "--mount", "--ipc", "--pid"));
        if (hostname != null) {
            line.add("--uts");
        }
        // Not unshare --fork: its parent reports a child killed with SIGKILL as exit 1 (util-linux
        // 2.38 cannot restore SIGKILL's default to re-raise it). A shell waits instead: its first
        // child is pid 1 of the new pid namespace, and it exits with 128 + the signal. A background
        // job's stdin would be /dev/null: fd 7 hands the container's on.
        line.addAll(List.of("--", "/bin/sh", "-c", "exec 7<&0; \"$@\" <&7 7<&- & wait $!", "wait",
                "/bin/sh", "-c", INIT, "init", dir.toString(), rootfs.toString(),
                hostname == null ? "" : hostname, config.security().readOnlyRootFilesystem() ? "1" : "0",
                targets.proc().toString(), targets.dev().toString(), targets.sys().toString()));
        bind(line, dir.resolve("hosts"), targets.hosts(), false);
        bind(line, dir.resolve("resolv.conf"), targets.resolvConf(), false);
        bind(line, dir.resolve("hostname"), targets.hostname(), false);
        for (int i = 0; i < config.mounts().size(); i++) {
            Mount mount = config.mounts().get(i);
            bind(line, Path.of(mount.hostPath()), mountTargets.get(i), mount.readOnly());
        }
        line.add("--");
        line.addAll(enter(rootfs, dir.resolve("env"), process, config.security().privileged()));
        return line;
    }

    /**
     * From the container's namespaces, with the host's root still there: the capabilities a
     * container keeps (all when privileged), its environment alone (from a file: a command line is
     * readable by every user, and the shim's lasts as long as the container) with signals at their
     * defaults (a shell's background job ignores SIGINT and SIGQUIT, and would hand that on), chroot,
     * working directory, gid (no supplementary groups) and uid, then the command.
     */
    List<String> enter(Path rootfs, Path envFile, Records.Process process, boolean privileged) {
        List<String> line = new ArrayList<>();
        if (!privileged) {
            line.addAll(List.of(bin.setpriv(), "--bounding-set", CAPABILITIES, "--"));
        }
        line.addAll(List.of("/bin/sh", "-c",
                "f=$1 e=$2; shift 2; eval \"exec \\\"\\$e\\\" --default-signal -i $(cat \"$f\") \\\"\\$@\\\"\"",
                "enter", envFile.toString(), bin.env()));
        line.addAll(List.of(bin.unshare(), "--root=" + rootfs, "--wd=" + process.cwd(), "--setgid=" + process.gid(),
                "--setuid=" + process.uid(), "--"));
        line.addAll(process.args());
        return line;
    }

    /** Writes an environment as single-quoted shell words, readable by root only. */
    static void writeEnv(Path file, List<String> env) throws IOException {
        StringBuilder words = new StringBuilder();
        for (String entry : env) {
            words.append('\'').append(entry.replace("'", "'\\''")).append("' ");
        }
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, words);
    }

    /**
     * A command run in a running container: it joins the container's cgroups, then its namespaces
     * ({@code nsenter -t PID}, forking into the pid namespace), then {@link #enter}.
     */
    List<String> exec(long pid, Path memoryCgroup, Path cpuCgroup, Path rootfs, Path envFile, Records.Process process,
            boolean privileged) {
        List<String> line = new ArrayList<>(List.of("/bin/sh", "-c",
                "echo $$ > \"$1/cgroup.procs\"; echo $$ > \"$2/cgroup.procs\"; shift 2; exec \"$@\"", "exec",
                memoryCgroup.toString(), cpuCgroup.toString(), bin.nsenter(), "-t", Long.toString(pid), "-m", "-u", "-i",
                "-n", "-p", "--"));
        line.addAll(enter(rootfs, envFile, process, privileged));
        return line;
    }

    private static void bind(List<String> line, Path source, Path target, boolean readOnly) {
        line.addAll(List.of("bind", source.toString(), target.toString(), readOnly ? "ro" : "rw"));
    }

    private static String script(String name) {
        try (InputStream in = Launch.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("the bundle lacks " + name, e);
        }
    }

    /** A bare name is looked up in PATH and the sbin directories. */
    static String find(String binary) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, binary))) {
                return Path.of(dir, binary).toString();
            }
        }
        return binary;
    }
}
