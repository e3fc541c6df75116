package io.kubundle.itests.system;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A running {@code bin/kubundle up|master|node} process; {@link #close()} stops it with SIGTERM. */
final class KubundleProcess implements AutoCloseable {
    final Process process;
    final Path dataDir;
    final String readyLine;
    private final List<String> output;

    private KubundleProcess(Process process, Path dataDir, String readyLine, List<String> output) {
        this.process = process;
        this.dataDir = dataDir;
        this.readyLine = readyLine;
        this.output = output;
    }

    /** Starts the role and waits (60 s at most) for its "ready" line. */
    static KubundleProcess start(Distribution distribution, Path dataDir, String role, String... extraArgs) throws Exception {
        return start(distribution, dataDir, java.util.Map.of(), role, extraArgs);
    }

    /** Starts the role with these environment variables changed, and waits (60 s at most) for its "ready" line. */
    static KubundleProcess start(Distribution distribution, Path dataDir, java.util.Map<String, String> environment, String role,
            String... extraArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of(distribution.home.resolve("bin/kubundle").toString(), role,
                "--data-dir", dataDir.toString()));
        command.addAll(List.of(extraArgs));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        List<String> output = new CopyOnWriteArrayList<>();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null;) {
                    output.add(line);
                    if (line.contains(" ready in ")) {
                        ready.complete(line);
                    }
                }
            } catch (IOException e) {
                // the process is gone; the wait below reports it
            }
            ready.completeExceptionally(new IllegalStateException("exited before ready"));
        }, "kubundle-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new KubundleProcess(process, dataDir, ready.get(60, TimeUnit.SECONDS), output);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(role + " did not become ready: " + e.getMessage() + "; output:\n" + String.join("\n", output));
        }
    }

    List<String> output() {
        return List.copyOf(output);
    }

    /** Kills the process at once (SIGKILL), as a crash would. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            throw new AssertionError("kubundle did not die of SIGKILL");
        }
    }

    /** Stops the process as an admin would (SIGTERM) and returns its exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(40, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("kubundle did not stop within 40 s of SIGTERM; output:\n" + String.join("\n", output));
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
