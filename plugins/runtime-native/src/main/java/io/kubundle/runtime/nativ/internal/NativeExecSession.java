package io.kubundle.runtime.nativ.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

import io.kubundle.api.runtime.ExecSession;

/** A command in a container (through script(1) for a terminal) with its streams handed to the caller. */
final class NativeExecSession implements ExecSession {
    private final Process process;
    private final boolean stdin;
    private final InputStream stderr;
    private final CompletableFuture<Integer> exitCode;

    NativeExecSession(Process process, boolean tty, boolean stdin) {
        this.process = process;
        this.stdin = stdin;
        this.stderr = tty ? InputStream.nullInputStream() : process.getErrorStream();
        this.exitCode = process.onExit().thenApply(Process::exitValue);
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

    /** The terminal is script(1)'s, which has no way to be told a new size: not supported. */
    @Override
    public void resize(int columns, int rows) {
        // nothing reaches script's terminal
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            NativeExec.kill(process);
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
