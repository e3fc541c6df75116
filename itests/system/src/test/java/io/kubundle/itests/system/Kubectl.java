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

    /**
     * An HTTP GET from inside a pod with busybox nc (busybox's wget crashes on these machines):
     * the body, or what went wrong.
     */
    String httpGetFromPod(String pod, String ip, int port) throws IOException, InterruptedException {
        Distribution.Result result = run("exec", pod, "--", "sh", "-c",
                "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + ip + " " + port);
        int body = result.out().indexOf("\r\n\r\n");
        if (result.exitCode() != 0 || body < 0) {
            return "nc exit " + result.exitCode() + ": " + result.out().strip() + result.err().strip();
        }
        return result.out().substring(body + 4).strip();
    }

    /** Starts a long-running kubectl (such as get -w); the caller reads and destroys it. */
    Process start(String... args) throws IOException {
        return new ProcessBuilder(command(args)).redirectErrorStream(true).start();
    }
}
