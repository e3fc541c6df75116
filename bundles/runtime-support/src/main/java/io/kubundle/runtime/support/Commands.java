package io.kubundle.runtime.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the short host commands a runtime needs (mount, umount, mkfifo, kill, version checks). */
public final class Commands {
    private static final File NULL = new File("/dev/null");

    private Commands() {
    }

    /** What a command did: its exit code and its stdout and stderr together. */
    public record Result(int code, String output) {
        public boolean ok() {
            return code == 0;
        }
    }

    /**
     * Runs a command whose output is small (it is read after the command ends, so a command
     * writing more than a pipe holds would block until the timeout).
     */
    public static Result run(List<String> command, Duration timeout) throws IOException {
        Process process = new ProcessBuilder(command).redirectInput(NULL).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + timeout);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return new Result(process.exitValue(), output);
    }

    /** The words quoted for sh, each between single quotes. */
    public static String shellQuote(List<String> words) {
        StringBuilder line = new StringBuilder();
        for (String word : words) {
            line.append(line.length() == 0 ? "" : " ").append('\'').append(word.replace("'", "'\\''")).append('\'');
        }
        return line.toString();
    }

    /** Runs a command and fails with its output unless it exits with 0. */
    public static void check(List<String> command, Duration timeout) throws IOException {
        Result result = run(command, timeout);
        if (!result.ok()) {
            throw new IOException(String.join(" ", command) + " failed (" + result.code() + "): " + result.output());
        }
    }
}
