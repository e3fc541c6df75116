package io.kubundle.net.cni.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kubundle.api.network.Attachment;
import io.kubundle.api.network.NetworkFailure;
import io.kubundle.api.network.NodeNetwork;
import io.kubundle.api.network.PodRef;

/**
 * Debian's CNI plugins ({@code containernetworking-plugins}: {@code bridge}, {@code host-local},
 * {@code loopback}) on the real host, as root: a bridge {@code kcniXXXX} of the test's own, a pod
 * CIDR in {@code 10.251.0.0/16} that no interface has, namespaces {@code kcni-XXXX-N}, host-local's
 * state in a temporary directory, no masquerading (no iptables rules). All of it is removed after
 * the test, and checked.
 */
final class RealPluginsTest {
    private static final Path DEBIAN_PLUGINS = Path.of("/usr/lib/cni");

    private final String suffix = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    private final String bridge = "kcni" + suffix;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private Path root;
    private Path ipamDir;
    private String cidr;
    private CniNetwork network;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces and links");
        assumeTrue(Files.isExecutable(DEBIAN_PLUGINS.resolve("bridge")), "needs Debian's containernetworking-plugins");
        root = Files.createTempDirectory("kcni-");
        ipamDir = root.resolve("ipam");
        Path conf = Files.createDirectories(root.resolve("net.d"));
        String addresses = run("ip", "-o", "-4", "addr", "show");
        do {
            cidr = "10.251." + ThreadLocalRandom.current().nextInt(1, 255) + ".0/24";
        } while (addresses.contains(" " + cidr.substring(0, cidr.length() - 4)));
        Files.writeString(conf.resolve("10-test.conflist"), """
                {"cniVersion": "1.0.0", "name": "kcni-test", "plugins": [
                  {"type": "bridge", "bridge": "BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
                   "ipam": {"type": "host-local", "subnet": "{{podCIDR}}", "dataDir": "IPAM",
                            "routes": [{"dst": "0.0.0.0/0"}]}},
                  {"type": "loopback"}
                ]}
                """.replace("BRIDGE", bridge).replace("IPAM", ipamDir.toString()), UTF_8);
        network = new CniNetwork(conf, List.of(Path.of("/opt/cni/bin"), DEBIAN_PLUGINS), "", root.resolve("state"),
                Duration.ofSeconds(30));
        network.configure(new NodeNetwork("node-1", cidr, null));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (root == null) {
            return;
        }
        for (Process process : processes) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        for (String namespace : namespaces) {
            runQuietly("ip", "netns", "del", namespace);
        }
        runQuietly("ip", "link", "del", "dev", bridge);
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
        assertFalse(runQuietly("ip", "link", "show", "dev", bridge).ok, "bridge left");
        assertFalse(run("ip", "netns", "list").contains("kcni-" + suffix), "namespaces left");
        assertFalse(run("ip", "-o", "-4", "addr", "show").contains(cidr.substring(0, cidr.length() - 4)), "addresses left");
    }

    @Test
    void twoPodsGetAddressesOnTheBridgeReachEachOtherAndAreDeleted() throws Exception {
        PodRef a = pod("a");
        PodRef b = pod("b");
        Attachment first = network.add(a);
        Attachment second = network.add(b);

        String prefix = cidr.substring(0, cidr.length() - 4); // 10.251.N.
        String gateway = prefix + "1";
        for (Attachment attachment : List.of(first, second)) {
            assertEquals("cni", attachment.plugin());
            assertEquals("eth0", attachment.interfaceName());
            assertEquals(1, attachment.ips().size(), attachment.toString());
            assertTrue(attachment.ips().get(0).startsWith(prefix), attachment.toString());
            assertEquals(gateway, attachment.gateway());
        }
        String ipA = first.ips().get(0);
        String ipB = second.ips().get(0);
        assertNotEquals(ipA, ipB);
        assertTrue(in(a, "ip", "-o", "-4", "addr", "show", "dev", "eth0").contains(" " + ipA + "/24"));
        assertTrue(in(a, "ip", "route", "show", "default").contains("default via " + gateway + " dev eth0"));
        assertTrue(in(a, "ip", "-o", "link", "show", "dev", "lo").contains("UP"), "loopback up");
        assertTrue(run("ip", "-o", "link", "show", "master", bridge).lines().count() == 2, "two ports on the bridge");
        assertTrue(Files.exists(ipamDir.resolve("kcni-test").resolve(ipA)), "host-local keeps its state where configured");

        network.check(a);
        network.check(b);
        assertEquals(first, network.add(a), "added again: the same attachment");

        assertTrue(ping(a, ipB), "a to b");
        assertTrue(ping(b, ipA), "b to a");
        assertTrue(ping(a, gateway), "a to its gateway");
        assertEquals("hello from a", send(a, b, ipB, "hello from a"));

        network.delete(a);
        network.delete(a);
        assertFalse(runQuietly("ip", "netns", "exec", nsName(a), "ip", "link", "show", "dev", "eth0").ok, "a's eth0 is gone");
        assertFalse(Files.exists(ipamDir.resolve("kcni-test").resolve(ipA)), "a's address is released");
        NetworkFailure unknown = org.junit.jupiter.api.Assertions.assertThrows(NetworkFailure.class, () -> network.check(a));
        assertTrue(unknown.getMessage().contains("not added"), unknown.getMessage());

        // b's namespace goes first, as after a crash: DEL still releases its address
        run("ip", "netns", "del", nsName(b));
        network.delete(b);
        network.delete(b);
        assertFalse(Files.exists(ipamDir.resolve("kcni-test").resolve(ipB)), "b's address is released");
        assertEquals("", run("ip", "-o", "link", "show", "master", bridge).strip(), "no ports left on the bridge");
    }

    @Test
    void aBrokenPodFailsCheckAndIsMadeAgainByAdd() throws Exception {
        PodRef a = pod("a");
        Attachment first = network.add(a);
        in(a, "ip", "link", "del", "dev", "eth0");
        NetworkFailure broken = org.junit.jupiter.api.Assertions.assertThrows(NetworkFailure.class, () -> network.check(a));
        assertTrue(broken.getMessage().contains("CNI plugin bridge CHECK failed"), broken.getMessage());

        Attachment again = network.add(a);
        assertEquals(first.gateway(), again.gateway());
        network.check(a);
        assertTrue(ping(a, again.gateway()), "works again");
        network.delete(a);
        assertEquals("", run("ip", "-o", "link", "show", "master", bridge).strip(), "no ports left on the bridge");
    }

    private PodRef pod(String name) throws Exception {
        String namespace = "kcni-" + suffix + "-" + name;
        namespaces.add(namespace);
        run("ip", "netns", "add", namespace);
        return new PodRef("uid-" + suffix + "-" + name, "default", name, "/run/netns/" + namespace, "eth0");
    }

    private static String nsName(PodRef pod) {
        return Path.of(pod.netnsPath()).getFileName().toString();
    }

    private String in(PodRef pod, String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of("ip", "netns", "exec", nsName(pod)));
        line.addAll(List.of(command));
        return run(line.toArray(String[]::new));
    }

    private boolean ping(PodRef from, String ip) throws Exception {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (runQuietly("ip", "netns", "exec", nsName(from), "/bin/busybox", "ping", "-c", "1", "-W", "1", ip).ok) {
                return true;
            }
        }
        return false;
    }

    /** Sends {@code text} with nc from {@code from} to a listener in {@code to}; returns what the listener got. */
    private String send(PodRef from, PodRef to, String ip, String text) throws Exception {
        Path received = root.resolve("received");
        Process listener = new ProcessBuilder("ip", "netns", "exec", nsName(to), "/bin/busybox", "nc", "-l", "-p", "9000")
                .redirectOutput(received.toFile()).redirectErrorStream(false).start();
        processes.add(listener);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Process client = new ProcessBuilder("ip", "netns", "exec", nsName(from), "/bin/busybox", "nc", "-w", "1", ip, "9000")
                    .redirectErrorStream(true).start();
            client.getOutputStream().write(text.getBytes(UTF_8));
            client.getOutputStream().close();
            client.waitFor(5, TimeUnit.SECONDS);
            if (listener.waitFor(1, TimeUnit.SECONDS)) {
                break;
            }
        }
        return Files.readString(received, UTF_8);
    }

    private record Outcome(boolean ok, String out) { }

    private static String run(String... command) throws Exception {
        Outcome outcome = runQuietly(command);
        assertTrue(outcome.ok, String.join(" ", command) + ": " + outcome.out);
        return outcome.out;
    }

    private static Outcome runQuietly(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), String.join(" ", command) + " finishes");
        return new Outcome(process.exitValue() == 0, out);
    }
}
