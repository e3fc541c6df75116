package io.kubundle.runtime.nativ.internal;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.kubundle.api.runtime.ExecResult;
import io.kubundle.api.runtime.ExecSession;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.runtime.support.BoundedReader;
import io.kubundle.runtime.support.Commands;

/** Commands run in a running container: {@link Launch#exec} from a process of this JVM. */
final class NativeExec {
    private static final int OUTPUT_LIMIT = 64 * 1024;

    private NativeExec() {
    }

    static ExecResult sync(List<String> line, List<String> command, Duration timeout) throws RuntimeFailure {
        try {
            Process process = new ProcessBuilder(line).redirectInput(new File("/dev/null")).start();
            BoundedReader out = new BoundedReader(process.getInputStream(), OUTPUT_LIMIT, "native-exec-output");
            BoundedReader err = new BoundedReader(process.getErrorStream(), OUTPUT_LIMIT, "native-exec-output");
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new RuntimeFailure("Timeout", "command " + command + " did not finish within " + timeout);
            }
            return new ExecResult(process.exitValue(), out.bytes(), err.bytes());
        } catch (IOException e) {
            throw new RuntimeFailure("StartError", "cannot exec " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailure("Timeout", "interrupted");
        }
    }

    static ExecSession session(List<String> line, List<String> command, boolean tty, boolean stdin) throws RuntimeFailure {
        List<String> argv = line;
        if (tty) {
            // nsenter gives no terminal: script(1) makes one (on the host's devpts).
            argv = List.of("script", "--quiet", "--flush", "--return", "--command", Commands.shellQuote(line), "/dev/null");
        }
        ProcessBuilder builder = new ProcessBuilder(argv);
        if (!stdin) {
            builder.redirectInput(new File("/dev/null"));
        }
        try {
            return new NativeExecSession(builder.start(), tty, stdin);
        } catch (IOException e) {
            throw new RuntimeFailure("StartError", "cannot exec " + command + ": " + e.getMessage(), e);
        }
    }

    /**
     * Kills the command in the container and nsenter above it: nsenter waits for its child but
     * forwards no signal, and the command is in the container's pid namespace, not our child.
     */
    static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
