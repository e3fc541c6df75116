package io.kubundle.runtime.runc.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import io.kubundle.api.runtime.ExecSession;

/** A {@code runc exec} (through script(1) for a terminal) with its streams handed to the caller. */
final class RuncExecSession implements ExecSession {
    private final Process process;
    private final Path pidFile;
    private final boolean stdin;
    private final InputStream stderr;
    private final CompletableFuture<Integer> exitCode;

    RuncExecSession(Process process, Path pidFile, boolean tty, boolean stdin) {
        this.process = process;
        this.pidFile = pidFile;
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

    /** runc resizes the container's terminal only from its own, which script(1) made: not supported. */
    @Override
    public void resize(int columns, int rows) {
        // no way to reach the terminal runc relays from
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
        } catch (java.io.IOException ignored) {
            // the streams of a dead process
        }
        deletePidFile();
    }

    private void deletePidFile() {
        RuncExec.deleteQuietly(pidFile);
    }
}
