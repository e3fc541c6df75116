package io.kubundle.runtime.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;

/**
 * The files every runtime keeps in a container's directory: its record, its overlay directories
 * and what its shim writes. A runtime extends it with its own files.
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

    /** A small file's content, stripped; empty if it cannot be read. */
    public static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file).strip());
        } catch (IOException missing) {
            return Optional.empty();
        }
    }
}
