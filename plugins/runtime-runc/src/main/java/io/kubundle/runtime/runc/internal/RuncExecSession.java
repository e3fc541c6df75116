package io.kubundle.runtime.runc.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.kubundle.api.runtime.ExecSession;

/** A {@code runc exec} (through script(1) for a terminal) with its streams handed to the caller. */
final class RuncExecSession implements ExecSession {
    private final Process process;
    private final Path pidFile;
    private final boolean tty;
    private final boolean stdin;
    private final InputStream stderr;
    private final CompletableFuture<Integer> exitCode;

    RuncExecSession(Process process, Path pidFile, boolean tty, boolean stdin) {
        this.process = process;
        this.pidFile = pidFile;
        this.tty = tty;
        this.stdin = stdin;
        this.stderr = tty ? InputStream.nullInputStream() : process.getErrorStream();
        this.exitCode = process.onExit().thenApply(p -> {
            deletePidFile();
            return p.exitValue();
        });
    }

    @Override
    public OutputStream stdin() {
        return stdin ? process.getOutputStream() : OutputStream.nullOutputStream();
    }

    @Override
    public InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return stderr;
    }

    @Override
    public CompletableFuture<Integer> exitCode() {
        return exitCode;
    }

    /**
     * Sizes script(1)'s terminal, which is runc's: the kernel sends runc SIGWINCH, and runc gives
     * the container's terminal the same size.
     */
    @Override
    public void resize(int columns, int rows) {
        if (!tty) {
            return;
        }
        for (int i = 0; i < 200 && process.isAlive(); i++) {
            Optional<Path> terminal = process.children().findFirst().flatMap(RuncExecSession::terminal);
            if (terminal.isPresent()) {
                try {
                    Commands.run(List.of("stty", "-F", terminal.get().toString(), "cols", Integer.toString(columns),
                            "rows", Integer.toString(rows)), Duration.ofSeconds(5));
                } catch (IOException e) {
                    System.getLogger(RuncExecSession.class.getName()).log(System.Logger.Level.WARNING,
                            "cannot resize " + terminal.get() + ": " + e.getMessage());
                }
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The terminal a process of script(1) has as its stdin, once it has one. */
    private static Optional<Path> terminal(ProcessHandle child) {
        try {
            Path stdin = Files.readSymbolicLink(Path.of("/proc", Long.toString(child.pid()), "fd", "0"));
            return stdin.toString().startsWith("/dev/pts/") ? Optional.of(stdin) : Optional.empty();
        } catch (IOException notYet) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            RuncExec.kill(pidFile, process);
        }
        try {
            process.getOutputStream().close();
            process.getInputStream().close();
            process.getErrorStream().close();
        } catch (IOException ignored) {
            // the streams of a dead process
        }
        deletePidFile();
    }

    private void deletePidFile() {
        RuncExec.deleteQuietly(pidFile);
    }
}
