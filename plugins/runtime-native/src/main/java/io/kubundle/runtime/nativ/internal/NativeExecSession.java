package io.kubundle.runtime.nativ.internal;

import io.kubundle.runtime.support.ProcessExecSession;

/** A command in a container (through script(1) for a terminal) with its streams handed to the caller. */
final class NativeExecSession extends ProcessExecSession {
    NativeExecSession(Process process, boolean tty, boolean stdin) {
        super(process, tty, stdin);
    }

    /** The terminal is script(1)'s, which has no way to be told a new size: not supported. */
    @Override
    public void resize(int columns, int rows) {
        // nothing reaches script's terminal
    }

    @Override
    protected void kill() {
        NativeExec.kill(process());
    }
}
