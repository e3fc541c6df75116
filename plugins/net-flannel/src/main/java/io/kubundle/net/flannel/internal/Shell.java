package io.kubundle.net.flannel.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs {@code ip}, {@code bridge} and {@code sysctl} in the node's network namespace: the process's
 * own (the node process is started inside it), or, with a prefix such as
 * {@code ip netns exec NS}, another one (the tests' "nodes"). Both output streams are drained while
 * the command runs, and a command that outlives the timeout is killed.
 */
final class Shell {
    private final List<String> prefix;
    private final Duration timeout;

    Shell(List<String> prefix, Duration timeout) {
        this.prefix = List.copyOf(prefix);
        this.timeout = timeout;
    }

    /** Commands in this process's own network namespace. */
    static Shell here(Duration timeout) {
        return new Shell(List.of(), timeout);
    }

    /** Commands in the named network namespace ({@code /run/netns/NAME}). */
    static Shell inNamespace(String name, Duration timeout) {
        return new Shell(List.of("ip", "netns", "exec", name), timeout);
    }

    /** How a command ended. */
    record Outcome(List<String> command, int status, String stdout, String stderr) {
        boolean succeeded() {
            return status == 0;
        }

        /** This outcome's output, or a failure naming the command and what it said. */
        String orThrow() throws CommandFailedException {
            if (!succeeded()) {
                throw new CommandFailedException(this);
            }
            return stdout;
        }
    }

    /** A command that exited non-zero. */
    static final class CommandFailedException extends IOException {
        private static final long serialVersionUID = 1L;

        CommandFailedException(Outcome outcome) {
            super("`" + String.join(" ", outcome.command()) + "` exited " + outcome.status() + ": "
                    + (outcome.stderr().isBlank() ? outcome.stdout().strip() : outcome.stderr().strip()));
        }
    }

    /** Runs {@code command}; a non-zero exit is an outcome, not an exception. */
    Outcome exec(List<String> command) throws IOException {
        List<String> line = new ArrayList<>(prefix);
        line.addAll(command);
        Process process = new ProcessBuilder(line).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("`" + String.join(" ", line) + "` did not finish within " + timeout.toSeconds() + " s");
            }
            return new Outcome(line, process.exitValue(), stdout.get(5, TimeUnit.SECONDS), stderr.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running `" + String.join(" ", line) + "`", e);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IOException("cannot read the output of `" + String.join(" ", line) + "`", e);
        }
    }

    /** Runs {@code command} and returns its standard output; a non-zero exit fails. */
    String output(String... command) throws IOException {
        return exec(List.of(command)).orThrow();
    }

    /** Runs {@code command}; true if it exited zero. */
    boolean succeeds(String... command) throws IOException {
        return exec(List.of(command)).succeeded();
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(new UncheckedIOException(e));
            }
        }, "net-flannel-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }
}
