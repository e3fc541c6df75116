package io.kubundle.proxy.support;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Short host commands ({@code iptables-restore}, {@code nft}, {@code sysctl}, ...), optionally
 * run inside another network namespace ({@code nsenter --net=/run/netns/NS}, for tests). Each may
 * take {@code timeoutSeconds}; one killed at its timeout is an {@link IOException}. Thread-safe:
 * every call is its own process.
 */
public final class HostCommands {
    private static final System.Logger LOG = System.getLogger(HostCommands.class.getName());

    private final List<String> prefix;
    private final long timeoutSeconds;

    /** What a command did: its exit code, standard output and standard error. */
    public record Result(int exit, String out, String err) {
    }

    /** @param prefix put before every command ({@code nsenter --net=...}), empty for none */
    public HostCommands(List<String> prefix, long timeoutSeconds) {
        this.prefix = List.copyOf(prefix);
        this.timeoutSeconds = timeoutSeconds;
    }

    /** Commands on this host, 120 s each at most (a full restore of thousands of rules on a loaded machine takes tens of seconds). */
    public static HostCommands host() {
        return new HostCommands(List.of(), 120);
    }

    /**
     * Commands in a named network namespace ({@code ip netns add NAME}), entered with
     * {@code nsenter --net} (lighter than {@code ip netns exec}, which also remounts /sys).
     */
    public static HostCommands inNamespace(String namespace) {
        return new HostCommands(List.of("nsenter", "--net=/run/netns/" + namespace), 120);
    }

    /** The prefix put before every command. */
    public List<String> prefix() {
        return prefix;
    }

    /** Runs a command, {@code input} on its standard input (null: /dev/null), and waits for it. */
    public Result run(List<String> command, String input) throws IOException {
        List<String> full = new ArrayList<>(prefix);
        full.addAll(command);
        Path out = Files.createTempFile("kubundle-proxy-", ".out");
        Path err = Files.createTempFile("kubundle-proxy-", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(full).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (input == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process process = builder.start();
            if (input != null) {
                try (OutputStream stdin = process.getOutputStream()) {
                    stdin.write(input.getBytes(UTF_8));
                } catch (IOException e) {
                    // it exited early; its exit code and stderr say why
                }
            }
            try {
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IOException(String.join(" ", full) + " did not finish in " + timeoutSeconds + " s");
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException(String.join(" ", full) + " interrupted");
            }
            return new Result(process.exitValue(), Files.readString(out, UTF_8), Files.readString(err, UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs any command ({@code modprobe}, ...); its exit code, -1 when it could not start. */
    public int exec(String... command) {
        try {
            return run(List.of(command), null).exit();
        } catch (IOException e) {
            return -1;
        }
    }

    /** {@code sysctl -w key=value}; false (not an error) where the kernel does not allow it. */
    public boolean sysctl(String key, String value) {
        return exec("sysctl", "-q", "-w", key + "=" + value) == 0;
    }

    /** {@code sysctl -n key}, or empty. */
    public String sysctlValue(String key) {
        try {
            Result result = run(List.of("sysctl", "-n", key), null);
            return result.exit() == 0 ? result.out().strip() : "";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * What kube-proxy sets on a node: bridged traffic through the IPv4 hooks
     * ({@code br_netfilter}, {@code bridge-nf-call-iptables}: a pod reaching a service whose
     * endpoint is on the same bridge, hairpin included), and 127.0.0.1 routable to pods for
     * localhost node ports. Failures are logged, not fatal: the rules still serve routed traffic.
     *
     * @param who the proxy, for the log ({@code proxy-iptables})
     */
    public void prepareNode(String who, boolean localhostNodePorts) {
        if (!Files.isDirectory(Path.of("/proc/sys/net/bridge"))) {
            exec("modprobe", "br_netfilter");
        }
        if (!sysctl("net.bridge.bridge-nf-call-iptables", "1")) {
            LOG.log(System.Logger.Level.WARNING, "{0}: cannot set net.bridge.bridge-nf-call-iptables=1 (no br_netfilter):"
                    + " pods reaching a service backed by a pod on the same bridge may fail", who);
        }
        if (localhostNodePorts && !sysctl("net.ipv4.conf.all.route_localnet", "1")) {
            LOG.log(System.Logger.Level.WARNING, "{0}: cannot set net.ipv4.conf.all.route_localnet=1: node ports do not"
                    + " answer on 127.0.0.1", who);
        }
    }
}
