package io.kubundle.runtime.runc.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;

/**
 * The files of one container: its record, its OCI bundle, its overlay directories and what its
 * shim writes (see README for the layout).
 */
record ContainerDir(Path dir) {
    Path record() {
        return dir.resolve("container.json");
    }

    Path rootfs() {
        return dir.resolve("rootfs");
    }

    Path upper() {
        return dir.resolve("upper");
    }

    Path work() {
        return dir.resolve("work");
    }

    Path fifo(String stream) {
        return dir.resolve(stream);
    }

    Path shimPid() {
        return dir.resolve("shim.pid");
    }

    /** Written by runc once the container's process runs: its existence means "started". */
    Path runcPid() {
        return dir.resolve("runc.pid");
    }

    /** Written by the shim once runc exited and the log has all output: {@code <exit code> <oom kills>}. */
    Path exit() {
        return dir.resolve("exit");
    }

    /** The log writer's script, written at start: the shim runs it from here. */
    Path logWriter() {
        return dir.resolve("log-writer.pl");
    }

    Path runcLog() {
        return dir.resolve("runc.log");
    }

    /** Whether the shim of this container runs (its pid is alive and is this container's shim). */
    boolean shimAlive() {
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

    /**
     * Whether the container's first process is still {@code runc init}: runc writes its pid file
     * before that process has exec'ed the container's command, and a signal in between kills
     * runc init (a Go program: exit code 2) instead of reaching the command.
     */
    boolean execPending() {
        Optional<String> pid = read(runcPid());
        if (pid.isEmpty()) {
            return false;
        }
        try {
            String[] args = new String(Files.readAllBytes(Path.of("/proc", pid.get(), "cmdline")), StandardCharsets.UTF_8)
                    .split("\0");
            return args.length == 2 && args[0].endsWith("runc") && args[1].equals("init");
        } catch (IOException gone) {
            return false;
        }
    }

    Optional<Instant> modified(Path file) {
        try {
            FileTime time = Files.getLastModifiedTime(file);
            return Optional.of(time.toInstant());
        } catch (IOException missing) {
            return Optional.empty();
        }
    }

    static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file).strip());
        } catch (IOException missing) {
            return Optional.empty();
        }
    }
}
