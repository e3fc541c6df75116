package io.kubundle.net.flannel.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Two "nodes" for a test: network namespaces {@code kft-XXXX-1} and {@code kft-XXXX-2}, joined by a
 * veth pair ({@code node0} in each) with the addresses {@code 192.168.251.1/24} and {@code .2/24},
 * each with a bridge {@code pods0} holding a "pod" address, {@code 10.251.N.1/24}, in the node's
 * pod subnet {@code 10.251.N.0/24}. Nothing of it is on the host's own network. A JUnit extension
 * ({@code @RegisterExtension}): made before each test (skipped unless root), and after it, whatever
 * its outcome, both namespaces are deleted (and with them everything in them) and checked gone.
 */
final class TwoNodes implements BeforeEachCallback, AfterEachCallback {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    final String prefix = "kft-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt()) + "-";
    private final Shell host = Shell.here(TIMEOUT);
    private final List<String> made = new ArrayList<>();

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces and links");
        try {
            for (int node = 1; node <= 2; node++) {
                newNamespace(namespace(node));
            }
            host.output("ip", "link", "add", "node0", "netns", namespace(1), "type", "veth", "peer", "name", "node0", "netns",
                    namespace(2));
            for (int node = 1; node <= 2; node++) {
                Shell in = shell(node);
                in.output("ip", "link", "set", "dev", "lo", "up");
                in.output("ip", "addr", "add", nodeIp(node) + "/24", "dev", "node0");
                in.output("ip", "link", "set", "dev", "node0", "up");
                in.output("ip", "link", "add", "pods0", "type", "bridge");
                in.output("ip", "addr", "add", podIp(node) + "/24", "dev", "pods0");
                in.output("ip", "link", "set", "dev", "pods0", "up");
            }
        } catch (IOException | RuntimeException e) {
            afterEach(context);
            throw e;
        }
    }

    String namespace(int node) {
        return prefix + node;
    }

    Shell shell(int node) {
        return Shell.inNamespace(namespace(node), TIMEOUT);
    }

    static String nodeIp(int node) {
        return "192.168.251." + node;
    }

    static String podCidr(int node) {
        return "10.251." + node + ".0/24";
    }

    static String podIp(int node) {
        return "10.251." + node + ".1";
    }

    /**
     * A pod of node {@code node} as net-bridge wires one: its own namespace {@code kft-XXXX-N-pod},
     * a veth pair whose host end is on {@code pods0}, the address {@code 10.251.N.2/24} and a default
     * route through the bridge's address. Returns the pod's shell.
     */
    Shell pod(int node) throws IOException {
        String pod = namespace(node) + "-pod";
        newNamespace(pod);
        shell(node).output("ip", "link", "add", "veth" + node, "type", "veth", "peer", "name", "eth0", "netns", pod);
        shell(node).output("ip", "link", "set", "dev", "veth" + node, "master", "pods0", "up");
        Shell in = Shell.inNamespace(pod, TIMEOUT);
        in.output("ip", "link", "set", "dev", "lo", "up");
        in.output("ip", "addr", "add", podAddress(node) + "/24", "dev", "eth0");
        in.output("ip", "link", "set", "dev", "eth0", "up");
        in.output("ip", "route", "add", "default", "via", podIp(node));
        return in;
    }

    private void newNamespace(String name) throws IOException {
        host.output("ip", "netns", "add", name);
        made.add(name);
    }

    /** The address of node {@code node}'s {@link #pod}. */
    static String podAddress(int node) {
        return "10.251." + node + ".2";
    }

    /** Whether the pod address of node {@code from} gets an answer from the pod address of node {@code to}. */
    boolean podPings(int from, int to) throws IOException {
        return shell(from).succeeds("/bin/busybox", "ping", "-c", "1", "-W", "2", "-I", podIp(from), podIp(to));
    }

    /** The packets device {@code device} of node {@code node} has sent and received. */
    long[] packets(int node, String device) throws IOException {
        String shown = shell(node).output("ip", "-s", "-j", "link", "show", "dev", device);
        JsonNode stats = JSON.readTree(shown).get(0).path("stats64");
        return new long[] {stats.path("tx").path("packets").asLong(), stats.path("rx").path("packets").asLong()};
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        for (String namespace : made) {
            host.exec(List.of("ip", "netns", "del", namespace));
        }
        made.clear();
        assertFalse(host.output("ip", "netns", "list").contains(prefix), "namespaces left");
    }
}
