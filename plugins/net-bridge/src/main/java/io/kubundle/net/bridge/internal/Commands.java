package io.kubundle.net.bridge.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.kubundle.api.network.NetworkFailure;

/**
 * Runs {@code ip}, {@code iptables} and {@code nsenter}. Output goes through temporary files rather
 * than pipes, so a chatty or hung command can neither block the caller nor outlive the timeout.
 */
final class Commands {
    private final Duration timeout;

    Commands(Duration timeout) {
        this.timeout = timeout;
    }

    /** What a command printed and how it exited. */
    record Result(int exit, String out, String err) {
        boolean ok() {
            return exit == 0;
        }
    }

    /** Runs a command; a non-zero exit is a result, not a failure. */
    Result run(List<String> command) throws NetworkFailure {
        return run(command, "");
    }

    /** Runs a command with {@code input} on its standard input (for {@code ip -batch -}). */
    Result run(List<String> command, String input) throws NetworkFailure {
        Path in = null;
        Path out = null;
        Path err = null;
        try {
            in = Files.createTempFile("kubundle-net-", ".in");
            out = Files.createTempFile("kubundle-net-", ".out");
            err = Files.createTempFile("kubundle-net-", ".err");
            Files.writeString(in, input, UTF_8);
            Process process = new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            if (!waitFor(process, command, input)) {
                process.destroyForcibly();
                throw new NetworkFailure(describe(command, input) + " did not finish within " + timeout.toMillis() + " ms");
            }
            return new Result(process.exitValue(), Files.readString(out, UTF_8), Files.readString(err, UTF_8).strip());
        } catch (IOException e) {
            throw new NetworkFailure("cannot run " + describe(command, input) + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(in);
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** Runs a command and returns its output; a non-zero exit fails with what it said on stderr. */
    String must(List<String> command) throws NetworkFailure {
        return must(command, "");
    }

    String must(List<String> command, String input) throws NetworkFailure {
        Result result = run(command, input);
        if (!result.ok()) {
            throw failure(command, input, result);
        }
        return result.out();
    }

    static NetworkFailure failure(List<String> command, String input, Result result) {
        return new NetworkFailure(describe(command, input) + " failed (exit " + result.exit() + "): "
                + (result.err().isEmpty() ? result.out().strip() : result.err()));
    }

    private boolean waitFor(Process process, List<String> command, String input) throws NetworkFailure {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new NetworkFailure("interrupted while running " + describe(command, input));
        }
    }

    /** The command line, and for a batch the commands it was given, as the operator would type them. */
    private static String describe(List<String> command, String input) {
        String line = "`" + String.join(" ", command) + "`";
        return input.isBlank() ? line : line + " with [" + String.join("; ", input.strip().split("\n")) + "]";
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temporary file costs nothing worth failing a pod for
            }
        }
    }
}
