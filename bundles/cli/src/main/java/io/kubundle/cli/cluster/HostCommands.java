package io.kubundle.cli.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The host's tools (ip, iptables, kill) run and checked. */
final class HostCommands {
    private HostCommands() {
    }

    /** Runs the command; a failure is an IOException with its output. */
    static String run(String... command) throws IOException {
        Result result = attempt(command);
        if (result.exitCode() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + result.exitCode() + "): " + result.output().strip());
        }
        return result.output();
    }

    /** Runs the command for clean-up, where "not there" is fine: the result says how it went. */
    static Result attempt(String... command) throws IOException {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        process.getOutputStream().close();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 60 s");
            }
            return new Result(process.exitValue(), output);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
    }

    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }
}
