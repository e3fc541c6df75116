package io.kubundle.net.bridge.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.kubundle.api.network.NetworkFailure;
import io.kubundle.api.network.PodRef;

/**
 * What a test makes on the host, all named so it cannot meet anything else: a bridge {@code kbtXXXX},
 * pod CIDRs in {@code 10.250.0.0/16} that no interface has, namespaces {@code kbt-XXXX-N}, HTTP
 * servers inside them. {@link #close} removes it all, then checks that nothing is left.
 */
final class TestHost implements AutoCloseable {
    static final String CLUSTER_CIDR = "10.250.0.0/16";
    private static final int HTTP_PORT = 8080;

    final String suffix = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    final String bridge = "kbt" + suffix;
    final Path stateDir;
    private final Path webRoot;
    private final Commands commands = new Commands(Duration.ofSeconds(10));
    private final List<String> namespaces = new ArrayList<>();
    private final List<PodRef> pods = new ArrayList<>();
    private final List<Process> servers = new ArrayList<>();
    private final List<String> usedThirdOctets = new ArrayList<>();

    TestHost() throws IOException {
        stateDir = Files.createTempDirectory("kbt-state-");
        webRoot = Files.createTempDirectory("kbt-www-");
    }

    /** A {@code 10.250.N.0/LENGTH} that no address on this host is in. */
    synchronized String freeCidr(int prefix) throws NetworkFailure {
        String addresses = commands.must(List.of("ip", "-o", "-4", "addr", "show"));
        while (true) {
            String octet = Integer.toString(ThreadLocalRandom.current().nextInt(1, 255));
            if (!usedThirdOctets.contains(octet) && !addresses.contains(" 10.250." + octet + ".")) {
                usedThirdOctets.add(octet);
                return "10.250." + octet + ".0/" + prefix;
            }
        }
    }

    BridgeNetwork network() throws NetworkFailure {
        return new BridgeNetwork(bridge, 1500, stateDir, true);
    }

    /** A new pod in a new namespace. */
    PodRef pod() throws NetworkFailure {
        return pod(newNamespace());
    }

    /** A pod whose namespace file is {@code netnsPath}, made or not. */
    synchronized PodRef pod(String netnsPath) {
        PodRef pod = new PodRef(UUID.randomUUID().toString(), "default", "pod-" + pods.size(), netnsPath, "eth0");
        pods.add(pod);
        return pod;
    }

    String newNamespace() throws NetworkFailure {
        String name;
        synchronized (this) {
            name = "kbt-" + suffix + "-" + namespaces.size();
            namespaces.add(name);
        }
        commands.must(List.of("ip", "netns", "add", name));
        return "/run/netns/" + name;
    }

    /** Whether {@code ip} answers a ping from {@code pod} (or from the host when null); a lost first try is forgiven. */
    boolean ping(PodRef from, String ip) throws NetworkFailure {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (commands.run(in(from, "/bin/busybox", "ping", "-c", "1", "-W", "1", ip)).ok()) {
                return true;
            }
        }
        return false;
    }

    /** Starts an HTTP server in {@code pod}'s namespace answering {@code body}, and waits until the host reaches it. */
    void serve(PodRef pod, String ip, String body) throws Exception {
        Path root = Files.createDirectories(webRoot.resolve(pod.uid()));
        Files.writeString(root.resolve("index.html"), body, UTF_8);
        Process server = new ProcessBuilder(in(pod, "/bin/busybox", "httpd", "-f", "-p", Integer.toString(HTTP_PORT),
                "-h", root.toString())).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        servers.add(server);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!body.equals(fetch(null, ip))) {
            assertTrue(server.isAlive() && System.nanoTime() < deadline, "the server in " + pod.netnsPath() + " answers");
            Thread.sleep(50);
        }
    }

    /** What the server on {@code ip} answers to {@code from} (the host when null), or null. */
    String fetch(PodRef from, String ip) throws NetworkFailure {
        // busybox's wget crashes in this build; nc speaks HTTP/1.0 well enough
        Commands.Result result = commands.run(in(from, "/bin/busybox", "nc", "-w", "2", ip, Integer.toString(HTTP_PORT)),
                "GET /index.html HTTP/1.0\r\n\r\n");
        String response = result.out();
        int body = response.indexOf("\r\n\r\n");
        return result.ok() && response.startsWith("HTTP/1.1 200") && body > 0 ? response.substring(body + 4) : null;
    }

    String run(String... command) throws NetworkFailure {
        return commands.must(List.of(command));
    }

    boolean linkExists(String name) throws NetworkFailure {
        return commands.run(List.of("ip", "link", "show", "dev", name)).ok();
    }

    private static List<String> in(PodRef pod, String... command) {
        List<String> line = new ArrayList<>();
        if (pod != null) {
            line.addAll(List.of("nsenter", "--net=" + pod.netnsPath()));
        }
        line.addAll(List.of(command));
        return line;
    }

    @Override
    public void close() throws Exception {
        for (Process server : servers) {
            server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        for (PodRef pod : pods) {
            commands.run(List.of("ip", "link", "del", "dev", Names.hostVeth(pod.uid())));
        }
        for (String namespace : namespaces) {
            commands.run(List.of("ip", "netns", "del", namespace));
        }
        commands.run(List.of("ip", "link", "del", "dev", bridge));
        HostSetup host = new HostSetup(commands, bridge, 1500, true);
        host.removeChain("nat", "POSTROUTING", HostSetup.natChain(bridge));
        host.removeChain("filter", "FORWARD", HostSetup.forwardChain(bridge));
        for (Path dir : List.of(stateDir, webRoot)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
        assertNothingLeft();
    }

    private void assertNothingLeft() throws NetworkFailure {
        assertFalse(commands.must(List.of("iptables", "-w", "5", "-t", "nat", "-S")).contains(bridge), "nat rules left");
        assertFalse(commands.must(List.of("iptables", "-w", "5", "-S")).contains(bridge), "filter rules left");
        assertFalse(linkExists(bridge), "bridge left");
        for (PodRef pod : pods) {
            assertFalse(linkExists(Names.hostVeth(pod.uid())), "veth left");
        }
        assertFalse(commands.must(List.of("ip", "netns", "list")).contains("kbt-" + suffix + "-"), "namespaces left");
    }
}
