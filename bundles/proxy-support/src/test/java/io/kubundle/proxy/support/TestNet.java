package io.kubundle.proxy.support;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway network for a test: a namespace playing the node (its own iptables, a bridge
 * {@code br0} with 10.77.0.1/24 and hairpin on its ports, a route for the service range), and backend "pods", each a
 * namespace on a veth into the bridge running {@code busybox httpd} that answers its own name.
 * {@link #close()} kills the processes and deletes the namespaces (their links and rules go with them).
 */
public final class TestNet implements AutoCloseable {
    /** The namespace playing the node. */
    public final String node;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();
    private final String suffix = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());

    /** A command's exit code and output (stdout and stderr). */
    public record Out(int exit, String out) {
    }

    public TestNet() throws Exception {
        node = "kpt-" + suffix;
        addNamespace(node);
        must("ip", "netns", "exec", node, "ip", "link", "set", "lo", "up");
        must("ip", "netns", "exec", node, "ip", "link", "add", "br0", "type", "bridge");
        must("ip", "netns", "exec", node, "ip", "addr", "add", "10.77.0.1/24", "dev", "br0");
        must("ip", "netns", "exec", node, "ip", "link", "set", "br0", "up");
        must("ip", "netns", "exec", node, "ip", "route", "add", "10.96.0.0/12", "dev", "br0");
        must("ip", "netns", "exec", node, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    }

    /** As root, with ip netns, busybox and curl. */
    public static boolean canRun() {
        try {
            return "root".equals(System.getProperty("user.name")) && run(List.of("ip", "netns", "list")).exit() == 0
                    && run(List.of("busybox", "true")).exit() == 0 && run(List.of("curl", "--version")).exit() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** Commands inside the node's namespace. */
    public HostCommands commands() {
        return HostCommands.inNamespace(node);
    }

    private void addNamespace(String name) throws Exception {
        must("ip", "netns", "add", name);
        namespaces.add(name);
    }

    /** A backend at 10.77.0.{@code octet} answering HTTP on {@code port} with {@code name}. */
    public String backend(int octet, int port, String name) throws Exception {
        String ns = node + "-" + octet;
        String host = "kv" + suffix + "h" + octet;
        addNamespace(ns);
        must("ip", "netns", "exec", node, "ip", "link", "add", host, "type", "veth", "peer", "name", "eth0", "netns", ns);
        must("ip", "netns", "exec", node, "ip", "link", "set", host, "master", "br0", "up");
        // as the bridge network plugin does: a pod reaching itself through a service comes back out of its own port
        must("ip", "netns", "exec", node, "ip", "link", "set", host, "type", "bridge_slave", "hairpin", "on");
        must("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        must("ip", "netns", "exec", ns, "ip", "addr", "add", "10.77.0." + octet + "/24", "dev", "eth0");
        must("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up");
        must("ip", "netns", "exec", ns, "ip", "route", "add", "default", "via", "10.77.0.1");
        Path dir = Files.createTempDirectory("kpt-www");
        dirs.add(dir);
        Files.writeString(dir.resolve("index.html"), name + "\n");
        processes.add(new ProcessBuilder("ip", "netns", "exec", ns, "busybox", "httpd", "-f", "-p", Integer.toString(port), "-h",
                dir.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        String ip = "10.77.0." + octet;
        for (int i = 0; i < 100; i++) {
            if (get(node, ip + ":" + port).exit() == 0) {
                return ns;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("backend " + name + " did not answer");
    }

    /**
     * {@code curl} of {@code http://address/} from inside a namespace, 2 s at most (busybox's wget
     * crashes on these machines). Exit 7 is a refused connection, 28 a timeout.
     */
    public static Out get(String ns, String address) throws IOException, InterruptedException {
        return run(List.of("ip", "netns", "exec", ns, "curl", "-sS", "-m", "2", "http://" + address + "/"));
    }

    public static Out run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("kpt", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(command + " did not finish");
            }
            return new Out(process.exitValue(), Files.readString(out, UTF_8).strip());
        } finally {
            Files.deleteIfExists(out);
        }
    }

    public static String must(String... command) throws IOException, InterruptedException {
        Out out = run(List.of(command));
        if (out.exit() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.out());
        }
        return out.out();
    }

    private static List<String> reversed(List<String> list) {
        List<String> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    /** {@code iptables-save} in the node's namespace. */
    public String save() throws IOException, InterruptedException {
        return must("ip", "netns", "exec", node, "iptables-save");
    }

    /** Which backends answered (by name) over {@code requests} requests, each of which must succeed. */
    public static java.util.Map<String, Boolean> reached(String ns, String address, int requests) throws Exception {
        java.util.Map<String, Boolean> seen = new java.util.HashMap<>();
        for (int i = 0; i < requests; i++) {
            Out out = get(ns, address);
            if (out.exit() != 0) {
                throw new AssertionError("request " + i + " to " + address + " from " + ns + " failed: " + out.out());
            }
            seen.put(out.out(), true);
        }
        return seen;
    }

    /** Waits up to 10 s for {@code count} to reach {@code target}. */
    public static void await(java.util.function.LongSupplier count, long target, java.util.function.Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (count.getAsLong() < target) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what.get());
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() throws Exception {
        for (Process process : processes) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (String ns : reversed(namespaces)) {
            run(List.of("ip", "netns", "delete", ns));
        }
        for (Path dir : dirs) {
            Files.deleteIfExists(dir.resolve("index.html"));
            Files.deleteIfExists(dir);
        }
        String left = run(List.of("ip", "netns", "list")).out();
        for (String ns : namespaces) {
            if (left.contains(ns + " ") || left.lines().anyMatch(l -> l.equals(ns))) {
                throw new IllegalStateException("namespace " + ns + " was left");
            }
        }
    }
}
