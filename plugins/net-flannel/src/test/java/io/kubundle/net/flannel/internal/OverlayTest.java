package io.kubundle.net.flannel.internal;

import static io.kubundle.net.flannel.internal.TestNodes.published;
import static io.kubundle.net.flannel.internal.TwoNodes.nodeIp;
import static io.kubundle.net.flannel.internal.TwoNodes.podAddress;
import static io.kubundle.net.flannel.internal.TwoNodes.podCidr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.Node;

/**
 * The VTEP and the peers' entries for real, as root: two "nodes" in their own network namespaces
 * ({@link TwoNodes}), each running what the daemon runs on a node, and pod addresses that reach
 * each other only through the overlay.
 */
final class OverlayTest {
    private static final String DEVICE = "flannel.1";
    @RegisterExtension
    final TwoNodes nodes = new TwoNodes();


    private Vtep vtep(int node) {
        return new Vtep(nodes.shell(node), DEVICE, 1, 8472, 0);
    }

    /** Makes the VTEPs of both nodes; returns the Nodes as they are once both daemons have published them. */
    private static List<Node> vteps(Vtep one, Vtep two) throws IOException {
        return List.of(published("node-1", podCidr(1), nodeIp(1), one.ensure(nodeIp(1), Subnet.parse(podCidr(1)))),
                published("node-2", podCidr(2), nodeIp(2), two.ensure(nodeIp(2), Subnet.parse(podCidr(2)))));
    }

    /** Reconciles node {@code node}'s VTEP with {@code cluster} as its informer would hold it; returns the commands run. */
    private int sync(Vtep vtep, int node, List<Node> cluster) throws IOException {
        return vtep.apply(Entries.wanted(Peer.of(cluster, "node-" + node, 1)));
    }

    @Test
    void podsOnTwoNodesReachEachOtherThroughTheOverlayUntilAPeerLeaves() throws IOException {
        Vtep one = vtep(1);
        Vtep two = vtep(2);
        List<Node> cluster = vteps(one, two);
        String macOne = Peer.from(cluster.get(0), 1).vtepMac();
        String macTwo = Peer.from(cluster.get(1), 1).vtepMac();
        assertFalse(nodes.podPings(1, 2), "no way across before the peers are known");
        assertEquals(3, sync(one, 1, cluster));
        assertEquals(3, sync(two, 2, cluster));

        String link = nodes.shell(1).output("ip", "-d", "link", "show", "dev", DEVICE);
        assertTrue(link.contains("mtu 1450 "), link);
        assertTrue(link.contains("vxlan id 1 local 192.168.251.1 dev node0 ") && link.contains("dstport 8472 nolearning"), link);
        assertTrue(nodes.shell(1).output("ip", "-4", "addr", "show", "dev", DEVICE).contains("inet 10.251.1.0/32 "));
        assertEquals("10.251.2.0/24 via 10.251.2.0 onlink", nodes.shell(1).output("ip", "route", "show", "dev", DEVICE).strip());
        assertEquals("10.251.2.0 lladdr " + macTwo + " PERMANENT",
                nodes.shell(1).output("ip", "neigh", "show", "dev", DEVICE).strip());
        assertEquals(macTwo + " dst 192.168.251.2 self permanent",
                nodes.shell(1).output("bridge", "fdb", "show", "dev", DEVICE).strip());

        long[] before = nodes.packets(1, DEVICE);
        long[] peerBefore = nodes.packets(2, DEVICE);
        assertTrue(nodes.podPings(1, 2), "pod on node 1 reaches pod on node 2");
        assertTrue(nodes.podPings(2, 1), "and back");
        long[] after = nodes.packets(1, DEVICE);
        assertTrue(after[0] >= before[0] + 2 && after[1] >= before[1] + 2, "node 1's VTEP carried the pings both ways");
        assertTrue(nodes.packets(2, DEVICE)[1] >= peerBefore[1] + 2, "node 2's VTEP received them");

        assertEquals(0, sync(one, 1, cluster), "a repeat changes nothing");
        assertEquals(macOne, vtep(1).ensure(nodeIp(1), Subnet.parse(podCidr(1))), "a new instance adopts the device");
        assertEquals(0, sync(vtep(1), 1, cluster), "and its entries");

        assertEquals(3, sync(one, 1, List.of(cluster.get(0))), "node 2 deleted: its three entries go");
        for (List<String> show : List.of(List.of("ip", "route", "show", "dev", DEVICE),
                List.of("ip", "neigh", "show", "dev", DEVICE), List.of("bridge", "fdb", "show", "dev", DEVICE))) {
            assertEquals("", nodes.shell(1).exec(show).orThrow().strip(), show + " left");
        }
        assertFalse(nodes.podPings(1, 2), "node 2 is out of reach");
    }

    @Test
    void aPeerWhoseVtepWasMadeAgainIsReachedAtItsNewMac() throws IOException {
        Vtep one = vtep(1);
        Vtep two = vtep(2);
        List<Node> cluster = vteps(one, two);
        String macTwo = Peer.from(cluster.get(1), 1).vtepMac();
        sync(one, 1, cluster);
        sync(two, 2, cluster);
        assertTrue(nodes.podPings(1, 2));

        // node 2's device made with another port is not adopted but made again, with a new MAC
        Vtep otherPort = new Vtep(nodes.shell(2), DEVICE, 1, 4789, 0);
        String newMac = otherPort.ensure(nodeIp(2), Subnet.parse(podCidr(2)));
        assertNotEquals(macTwo, newMac);
        assertTrue(nodes.shell(2).output("ip", "-d", "link", "show", "dev", DEVICE).contains("dstport 4789 "));
        newMac = two.ensure(nodeIp(2), Subnet.parse(podCidr(2)));
        sync(two, 2, cluster);
        assertFalse(nodes.podPings(1, 2), "node 1 still has the old MAC");

        List<Node> updated = List.of(cluster.get(0), published("node-2", podCidr(2), nodeIp(2), newMac));
        assertEquals(3, sync(one, 1, updated), "the new MAC's FDB entry and neighbour, and the old FDB entry deleted");
        assertEquals(newMac + " dst 192.168.251.2 self permanent",
                nodes.shell(1).output("bridge", "fdb", "show", "dev", DEVICE).strip());
        assertTrue(nodes.podPings(1, 2));
    }

    @Test
    void aChangedPodCidrMovesTheVtepAddressAndStrangeEntriesAreRemoved() throws IOException {
        Vtep one = vtep(1);
        one.ensure(nodeIp(1), Subnet.parse(podCidr(1)));
        one.ensure(nodeIp(1), Subnet.parse("10.251.9.0/24"));
        assertEquals(List.of("10.251.9.0/32"), addresses(1));
        nodes.shell(1).output("ip", "route", "add", "10.251.77.0/24", "via", "10.251.77.0", "dev", DEVICE, "onlink");
        nodes.shell(1).output("ip", "neigh", "add", "10.251.77.0", "lladdr", "0e:00:00:00:00:77", "dev", DEVICE, "nud",
                "permanent");
        nodes.shell(1).output("bridge", "fdb", "add", "0e:00:00:00:00:77", "dev", DEVICE, "dst", "192.168.251.77", "self",
                "permanent");
        assertEquals(3, sync(one, 1, List.of()));
        assertEquals(new Entries(java.util.Set.of(), java.util.Set.of(), java.util.Set.of()), one.entries());
    }

    /**
     * Pods in namespaces of their own behind each node's bridge, with the rules net-bridge's
     * {@code HostSetup} makes (written out here for bridge {@code pods0}), under the strictest
     * FORWARD policy: pod to pod across nodes is forwarded, and arrives with the pod's own address.
     */
    @Test
    void podsBehindBridgesWithNetBridgesRulesReachEachOtherUnmasqueraded() throws IOException {
        Vtep one = vtep(1);
        Vtep two = vtep(2);
        List<Node> cluster = vteps(one, two);
        sync(one, 1, cluster);
        sync(two, 2, cluster);
        Shell podOne = nodes.pod(1);
        Shell podTwo = nodes.pod(2);
        for (int node = 1; node <= 2; node++) {
            Shell in = nodes.shell(node);
            in.output("iptables", "-w", "5", "-P", "FORWARD", "DROP");
            in.output("iptables", "-w", "5", "-N", "KUBUNDLE-FWD-pods0");
            in.output("iptables", "-w", "5", "-A", "KUBUNDLE-FWD-pods0", "-i", "pods0", "-j", "ACCEPT");
            in.output("iptables", "-w", "5", "-A", "KUBUNDLE-FWD-pods0", "-o", "pods0", "-j", "ACCEPT");
            in.output("iptables", "-w", "5", "-A", "FORWARD", "-j", "KUBUNDLE-FWD-pods0");
            in.output("iptables", "-w", "5", "-t", "nat", "-N", "KUBUNDLE-NAT-pods0");
            in.output("iptables", "-w", "5", "-t", "nat", "-A", "KUBUNDLE-NAT-pods0", "-s", podCidr(node), "!", "-d",
                    "10.251.0.0/16", "-j", "MASQUERADE");
            in.output("iptables", "-w", "5", "-t", "nat", "-A", "POSTROUTING", "-j", "KUBUNDLE-NAT-pods0");
        }
        // counts what reaches pod 2 from pod 1's own address
        podTwo.output("iptables", "-w", "5", "-A", "INPUT", "-s", podAddress(1), "-p", "icmp");

        assertTrue(podOne.succeeds("/bin/busybox", "ping", "-c", "2", "-W", "2", podAddress(2)), "pod 1 reaches pod 2");
        assertTrue(podTwo.succeeds("/bin/busybox", "ping", "-c", "1", "-W", "2", podAddress(1)), "and pod 2 pod 1");
        String counted = podTwo.output("iptables", "-w", "5", "-nvxL", "INPUT");
        long packets = counted.lines().filter(line -> line.contains(podAddress(1))).mapToLong(line -> Long.parseLong(line.strip()
                .split("\\s+")[0])).sum();
        // pod 1's own address arrived: not masqueraded. (The MASQUERADE counters are no proof either
        // way: a pod's interface coming up sends IGMP reports to 224.0.0.22, which the rule counts.)
        assertTrue(packets >= 2, "pod 2 saw pod 1's own address: " + counted);
    }

    @Test
    void aNodeIpNoInterfaceHasIsAnError() {
        IOException failure = assertThrows(IOException.class, () -> vtep(1).ensure("192.168.251.99", Subnet.parse(podCidr(1))));
        assertTrue(failure.getMessage().contains("192.168.251.99"), failure.getMessage());
    }

    private List<String> addresses(int node) throws IOException {
        String shown = nodes.shell(node).output("ip", "-o", "-4", "addr", "show", "dev", DEVICE);
        return shown.lines().map(line -> line.split("\\s+")[3]).toList();
    }
}
