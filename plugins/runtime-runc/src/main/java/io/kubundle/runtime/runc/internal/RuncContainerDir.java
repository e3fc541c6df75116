package io.kubundle.runtime.runc.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import io.kubundle.runtime.support.ContainerDir;

/** A container's directory with its OCI bundle and what runc writes besides (see README for the layout). */
final class RuncContainerDir extends ContainerDir {
    RuncContainerDir(Path dir) {
        super(dir);
    }

    /** Written by runc once the container's process runs: its existence means "started". */
    Path runcPid() {
        return dir().resolve("runc.pid");
    }

    Path runcLog() {
        return dir().resolve("runc.log");
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
}
