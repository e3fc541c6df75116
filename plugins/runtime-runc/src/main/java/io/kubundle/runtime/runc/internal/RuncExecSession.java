package io.kubundle.runtime.runc.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.kubundle.runtime.support.Commands;
import io.kubundle.runtime.support.ProcessExecSession;

/** A {@code runc exec} (through script(1) for a terminal) with its streams handed to the caller. */
final class RuncExecSession extends ProcessExecSession {
    private final Path pidFile;
    private final boolean tty;

    RuncExecSession(Process process, Path pidFile, boolean tty, boolean stdin) {
        super(process, tty, stdin, () -> RuncExec.deleteQuietly(pidFile));
        this.pidFile = pidFile;
        this.tty = tty;
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
        for (int i = 0; i < 200 && process().isAlive(); i++) {
            Optional<ProcessHandle> runc = process().children().findFirst();
            if (runc.isPresent() && terminal(runc.get()).isPresent()) {
                resize(runc.get(), columns, rows);
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

    /** Sizes the terminal that a child of script(1) has as its stdin, if it has one. */
    static void resize(ProcessHandle scriptChild, int columns, int rows) {
        Optional<Path> terminal = terminal(scriptChild);
        if (terminal.isEmpty()) {
            return;
        }
        try {
            Commands.run(List.of("stty", "-F", terminal.get().toString(), "cols", Integer.toString(columns),
                    "rows", Integer.toString(rows)), Duration.ofSeconds(5));
        } catch (IOException e) {
            System.getLogger(RuncExecSession.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot resize " + terminal.get() + ": " + e.getMessage());
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
    protected void kill() {
        RuncExec.kill(pidFile, process());
    }

    @Override
    public void close() {
        super.close();
        RuncExec.deleteQuietly(pidFile);
    }
}
