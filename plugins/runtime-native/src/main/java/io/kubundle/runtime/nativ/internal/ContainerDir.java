package io.kubundle.runtime.nativ.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;

/**
 * The files of one container: its record, its overlay directories and what its shim and init
 * write (see README for the layout).
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

    /** The container's environment as shell words, read by {@link Launch#enter} (not in any command line). */
    Path env() {
        return dir.resolve("env");
    }

    Path fifo(String stream) {
        return dir.resolve(stream);
    }

    Path shimPid() {
        return dir.resolve("shim.pid");
    }

    /**
     * The container's host pid, written by its init right before it becomes the container's
     * command: its existence means "started", its mtime is the start time.
     */
    Path pid() {
        return dir.resolve("pid");
    }

    /** Written by the shim once the container ended and the log has all its output: {@code <exit code> <oom kills>}. */
    Path exit() {
        return dir.resolve("exit");
    }

    /** The log writer's script, written at start: the shim runs it from here. */
    Path logWriter() {
        return dir.resolve("log-writer.pl");
    }

    /** What init printed while it set the container up: why a container could not start. */
    Path initLog() {
        return dir.resolve("init.log");
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
