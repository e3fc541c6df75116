package io.kubundle.net.flannel.internal;

import static io.kubundle.net.flannel.internal.TwoNodes.nodeIp;
import static io.kubundle.net.flannel.internal.TwoNodes.podCidr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.kubundle.client.kube.KubeClient;

/**
 * The daemon as it runs on a node, two of them on {@link TwoNodes} sharing one (fake) API: each
 * waits for its Node's pod CIDR, publishes its VTEP, learns the other's, and follows Nodes that
 * change and go; closing it leaves the overlay working.
 */
final class FlannelDaemonTest {
    private static final String DEVICE = "flannel.1";
    private final FakeNodeApi api = new FakeNodeApi();
    private final List<FlannelDaemon> daemons = new ArrayList<>();
    @RegisterExtension
    final TwoNodes nodes = new TwoNodes();

    @AfterEach
    void stopDaemons() {
        // before the namespaces go (extensions' afterEach runs after the test's)
        daemons.forEach(FlannelDaemon::close);
    }

    private FlannelDaemon start(int node) throws Exception {
        // the node IP from the Node's InternalIP, as when the process was given no --node-ip
        FlannelDaemon daemon = new FlannelDaemon(new KubeClient(api), new FlannelDaemon.Settings("node-" + node, "", 1,
                Duration.ofSeconds(30)), new Vtep(nodes.shell(node), DEVICE, 1, 8472, 0));
        daemons.add(daemon);
        daemon.start();
        return daemon;
    }

    @Test
    void twoDaemonsConnectTheirNodesAndFollowANodeThatGoes() throws Exception {
        api.put(TestNodes.node("node-1", null, nodeIp(1), null));
        api.put(TestNodes.node("node-2", podCidr(2), nodeIp(2), null));
        start(1);
        start(2);
        await("node 2 publishes its VTEP", () -> api.get("node-2").getMetadata().getAnnotations() != null);
        Thread.sleep(500);
        assertFalse(nodes.shell(1).succeeds("ip", "link", "show", "dev", DEVICE), "node 1 waits for its pod CIDR");

        api.put(TestNodes.node("node-1", podCidr(1), nodeIp(1), null));
        await("node 1's pod reaches node 2's", () -> nodes.podPings(1, 2));
        Map<String, String> published = api.get("node-1").getMetadata().getAnnotations();
        String mac = nodes.shell(1).output("ip", "-br", "link", "show", "dev", DEVICE).split("\\s+")[2];
        assertEquals(Peer.annotations(1, mac, nodeIp(1)), published);
        assertTrue(nodes.podPings(2, 1));

        api.delete("node-2");
        await("node 1 drops node 2's entries", () -> nodes.shell(1).output("ip", "route", "show", "dev", DEVICE).isBlank()
                && nodes.shell(1).output("bridge", "fdb", "show", "dev", DEVICE).isBlank()
                && nodes.shell(1).output("ip", "neigh", "show", "dev", DEVICE).isBlank());
    }

    @Test
    void aClosedDaemonLeavesTheOverlayAndANewOneAdoptsIt() throws Exception {
        api.put(TestNodes.node("node-1", podCidr(1), nodeIp(1), null));
        api.put(TestNodes.node("node-2", podCidr(2), nodeIp(2), null));
        FlannelDaemon first = start(1);
        start(2);
        await("the pods reach each other", () -> nodes.podPings(1, 2));
        String published = api.get("node-1").getMetadata().getAnnotations().get(Peer.BACKEND_DATA);

        first.close();
        assertTrue(nodes.podPings(1, 2), "the overlay works while node 1's daemon is away");
        start(1);
        Thread.sleep(500);
        assertEquals(published, api.get("node-1").getMetadata().getAnnotations().get(Peer.BACKEND_DATA), "same VTEP, same MAC");
        assertTrue(nodes.podPings(1, 2));
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.call()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(100);
        }
    }
}
