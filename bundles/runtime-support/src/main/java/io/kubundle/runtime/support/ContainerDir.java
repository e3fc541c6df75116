package io.kubundle.runtime.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import io.kubundle.api.runtime.ContainerConfig;

/**
 * The files every runtime keeps in a container's directory: its record, its overlay directories
 * and what its shim writes. A runtime extends it with its own files. It mounts the overlay and
 * removes it all.
 */
public class ContainerDir {
    private final Path dir;

    public ContainerDir(Path dir) {
        this.dir = dir;
    }

    public final Path dir() {
        return dir;
    }

    public final Path record() {
        return dir.resolve("container.json");
    }

    public final Path rootfs() {
        return dir.resolve("rootfs");
    }

    public final Path upper() {
        return dir.resolve("upper");
    }

    public final Path work() {
        return dir.resolve("work");
    }

    public final Path fifo(String stream) {
        return dir.resolve(stream);
    }

    public final Path shimPid() {
        return dir.resolve("shim.pid");
    }

    /** Written by the shim once the container ended and the log has all its output: {@code <exit code> <oom kills>}. */
    public final Path exit() {
        return dir.resolve("exit");
    }

    /** The log writer's script ({@link LogWriter}), written at start: the shim runs it from here. */
    public final Path logWriter() {
        return dir.resolve("log-writer.pl");
    }

    /** The log writer's socket, which serves attaches ({@link AttachSession}); exists while the writer runs. */
    public final Path attachSocket() {
        return dir.resolve("attach.sock");
    }

    /**
     * The log writer's arguments after the log file: the output FIFOs, the stdin FIFO if the
     * container has one (the writer holds it: stdin ends only when the writer closes it), whether
     * attaches may write to stdin ({@code open}, {@code once}, or none) and the attach socket. Paths
     * are relative: the shim runs the writer in this directory.
     */
    public final List<String> logWriterArgs(ContainerConfig config) {
        List<String> args = new ArrayList<>(List.of("stdout=stdout", "stderr=stderr"));
        if (Files.exists(fifo("stdin"))) {
            args.add("stdin=stdin");
        }
        if (config.stdin()) {
            args.add(config.stdinOnce() ? "input=once" : "input=open");
        }
        args.add("attach=" + attachSocket().getFileName());
        return args;
    }

    /** Whether the shim of this container runs (its pid is alive and is this container's shim). */
    public final boolean shimAlive() {
        Optional<String> pid = read(shimPid());
        if (pid.isEmpty()) {
            return false;
        }
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", pid.get(), "cmdline"));
            return new String(cmdline, StandardCharsets.UTF_8).contains(dir.toString());
        } catch (IOException gone) {
            return false;
        }
    }

    public final Optional<Instant> modified(Path file) {
        try {
            FileTime time = Files.getLastModifiedTime(file);
            return Optional.of(time.toInstant());
        } catch (IOException missing) {
            return Optional.empty();
        }
    }

    /** Mounts the container's root file system: an overlay of the image's layers (top first) with its upper and work directories. */
    public final void mountOverlay(List<Path> layers, Duration timeout) throws IOException {
        if (layers.isEmpty()) {
            throw new IOException("the image has no layers");
        }
        List<String> lower = new ArrayList<>();
        for (int i = layers.size() - 1; i >= 0; i--) {
            lower.add(layers.get(i).toString());
        }
        String options = "lowerdir=" + String.join(":", lower) + ",upperdir=" + upper() + ",workdir=" + work();
        Commands.check(List.of("mount", "-t", "overlay", "overlay", "-o", options, rootfs().toString()), timeout);
    }

    /**
     * Unmounts the root file system (lazily if it is busy), removes the container's cgroup (if
     * {@code cgroupPath} is not null) and deletes the directory; fails, deleting nothing, while
     * the root file system is still mounted.
     */
    public final void remove(Cgroups cgroups, String cgroupPath, Duration timeout) throws IOException {
        if (mounted(rootfs())) {
            Commands.Result result = Commands.run(List.of("umount", rootfs().toString()), timeout);
            if (!result.ok()) {
                Commands.check(List.of("umount", "-l", rootfs().toString()), timeout);
            }
        }
        if (cgroupPath != null) {
            cgroups.remove(cgroupPath);
        }
        if (mounted(rootfs())) {
            throw new IOException(rootfs() + " is still mounted");
        }
        StateFiles.deleteTree(dir);
    }

    private static boolean mounted(Path path) throws IOException {
        String target = " " + path + " ";
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            return lines.anyMatch(line -> line.contains(target));
        }
    }

    /** A small file's content, stripped; empty if it cannot be read. */
    public static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file).strip());
        } catch (IOException missing) {
            return Optional.empty();
        }
    }
}
