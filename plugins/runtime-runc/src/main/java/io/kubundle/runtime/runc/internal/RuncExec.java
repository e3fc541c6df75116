package io.kubundle.runtime.runc.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.kubundle.api.runtime.ExecResult;
import io.kubundle.api.runtime.ExecSession;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.runtime.support.BoundedReader;
import io.kubundle.runtime.support.Commands;
import io.kubundle.runtime.support.ContainerDir;

/**
 * Commands run in a running container with {@code runc exec}. Each writes the host pid of its
 * process to a pid file in the container's directory, so that it can be killed: runc forwards the
 * signals it gets, but nobody can forward SIGKILL.
 */
final class RuncExec {
    private static final int OUTPUT_LIMIT = 64 * 1024;

    private final String runc;
    private final Path runcRoot;

    RuncExec(String runc, Path runcRoot) {
        this.runc = runc;
        this.runcRoot = runcRoot;
    }

    ExecResult sync(ContainerDir dir, String containerId, List<String> command, Duration timeout) throws RuntimeFailure {
        Path pidFile = pidFile(dir);
        try {
            Process process = new ProcessBuilder(command(containerId, pidFile, command))
                    .redirectInput(new File("/dev/null")).start();
            BoundedReader out = new BoundedReader(process.getInputStream(), OUTPUT_LIMIT, "runc-exec-output");
            BoundedReader err = new BoundedReader(process.getErrorStream(), OUTPUT_LIMIT, "runc-exec-output");
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(pidFile, process);
                throw new RuntimeFailure("Timeout", "command " + command + " did not finish within " + timeout);
            }
            byte[] stderr = err.bytes();
            if (process.exitValue() != 0 && !Files.exists(pidFile)) {
                throw new RuntimeFailure("StartError", new String(stderr, StandardCharsets.UTF_8).strip());
            }
            return new ExecResult(process.exitValue(), out.bytes(), stderr);
        } catch (IOException e) {
            throw new RuntimeFailure("StartError", "cannot exec in " + containerId + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailure("Timeout", "interrupted");
        } finally {
            deleteQuietly(pidFile);
        }
    }

    ExecSession session(ContainerDir dir, String containerId, List<String> command, boolean tty, boolean stdin)
            throws RuntimeFailure {
        Path pidFile = pidFile(dir);
        List<String> line = command(containerId, pidFile, command);
        if (tty) {
            // runc gives a terminal only to a caller that has one (or a console socket): script(1) makes it.
            line.add(line.indexOf("exec") + 1, "--tty");
            line = List.of("script", "--quiet", "--flush", "--return", "--command", Commands.shellQuote(line), "/dev/null");
        }
        ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(tty);
        // A terminal's input stays open even without stdin: at its end script(1) would type an end-of-file.
        if (!stdin && !tty) {
            builder.redirectInput(new File("/dev/null"));
        }
        try {
            return new RuncExecSession(builder.start(), pidFile, tty, stdin);
        } catch (IOException e) {
            throw new RuntimeFailure("StartError", "cannot exec in " + containerId + ": " + e.getMessage(), e);
        }
    }

    /** Kills the process {@code runc exec} started, then runc itself. */
    static void kill(Path pidFile, Process runcExec) {
        ContainerDir.read(pidFile).flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)))
                .ifPresent(ProcessHandle::destroyForcibly);
        runcExec.destroyForcibly();
    }

    static void deleteQuietly(Path pidFile) {
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // a pid file in a container directory that removal deletes anyway
        }
    }

    private static Path pidFile(ContainerDir dir) {
        return dir.dir().resolve("exec-" + UUID.randomUUID() + ".pid");
    }

    private List<String> command(String containerId, Path pidFile, List<String> command) {
        List<String> line = new ArrayList<>(List.of(runc, "--root", runcRoot.toString(), "exec", "--pid-file",
                pidFile.toString(), containerId));
        line.addAll(command);
        return line;
    }
}
