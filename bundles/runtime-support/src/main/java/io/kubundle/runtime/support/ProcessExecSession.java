package io.kubundle.runtime.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

import io.kubundle.api.runtime.ExecSession;

/**
 * An exec whose streams are a host process's: the runtime's exec command, or script(1) around it
 * for a terminal (whose output has stderr in stdout). A runtime says how to kill it and resize it.
 */
public abstract class ProcessExecSession implements ExecSession {
    private final Process process;
    private final boolean stdin;
    private final InputStream stderr;
    private final CompletableFuture<Integer> exitCode;

    protected ProcessExecSession(Process process, boolean tty, boolean stdin) {
        this(process, tty, stdin, () -> { });
    }

    /** @param exited run once the process ended, before its exit code is handed on */
    protected ProcessExecSession(Process process, boolean tty, boolean stdin, Runnable exited) {
        this.process = process;
        this.stdin = stdin;
        this.stderr = tty ? InputStream.nullInputStream() : process.getErrorStream();
        this.exitCode = process.onExit().thenApply(p -> {
            exited.run();
            return p.exitValue();
        });
    }

    protected final Process process() {
        return process;
    }

    /** Kills the exec's process and whatever it started in the container; called while it runs. */
    protected abstract void kill();

    @Override
    public final OutputStream stdin() {
        return stdin ? process.getOutputStream() : OutputStream.nullOutputStream();
    }

    @Override
    public final InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    public final InputStream stderr() {
        return stderr;
    }

    @Override
    public final CompletableFuture<Integer> exitCode() {
        return exitCode;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        try {
            process.getOutputStream().close();
            process.getInputStream().close();
            process.getErrorStream().close();
        } catch (IOException ignored) {
            // the streams of a dead process
        }
    }
}
