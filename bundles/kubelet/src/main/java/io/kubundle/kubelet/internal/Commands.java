package io.kubundle.kubelet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the host's tools ({@code ip}, {@code mount}) the JVM cannot replace, with a time limit. */
final class Commands {
    private Commands() {
    }

    /**
     * Runs a command and returns what it printed.
     *
     * @throws IOException with the command's stderr when it fails or takes over 30 s
     */
    static String run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        try {
            // output is small for the commands used here; read both before waiting
            byte[] out = process.getInputStream().readAllBytes();
            byte[] err = process.getErrorStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": timed out");
            }
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + ": " + new String(err, StandardCharsets.UTF_8).strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
    }
}
