package io.kubundle.itests.system;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real kubectl (/usr/bin/kubectl) against a kubeconfig. */
final class Kubectl {
    static final Path BINARY = Path.of("/usr/bin/kubectl");
    private final Path kubeconfig;
    private final Path cacheDir;

    /** {@code cacheDir} keeps kubectl's discovery cache private to the test, off the user's ~/.kube. */
    Kubectl(Path kubeconfig, Path cacheDir) {
        this.kubeconfig = kubeconfig;
        this.cacheDir = cacheDir;
    }

    private List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", cacheDir.toString()));
        command.addAll(List.of(args));
        return command;
    }

    Distribution.Result run(String... args) throws IOException, InterruptedException {
        return Distribution.run(command(args));
    }

    /** Runs and requires exit code 0; returns stdout. */
    String ok(String... args) throws IOException, InterruptedException {
        Distribution.Result result = run(args);
        if (result.exitCode() != 0) {
            throw new AssertionError("kubectl " + String.join(" ", args) + " exited " + result.exitCode() + ": " + result.err()
                    + result.out());
        }
        return result.out();
    }

    /** As {@link #ok}, for lambdas: any failure is an AssertionError. */
    String must(String... args) {
        try {
            return ok(args);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Starts a long-running kubectl (such as get -w); the caller reads and destroys it. */
    Process start(String... args) throws IOException {
        return new ProcessBuilder(command(args)).redirectErrorStream(true).start();
    }
}
