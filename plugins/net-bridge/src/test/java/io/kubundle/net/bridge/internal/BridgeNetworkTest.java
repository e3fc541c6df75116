package io.kubundle.net.bridge.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kubundle.api.network.Attachment;
import io.kubundle.api.network.NetworkFailure;
import io.kubundle.api.network.NodeNetwork;
import io.kubundle.api.network.PodRef;

/**
 * The plugin on the real host, as root: real namespaces, veth pairs, a bridge and iptables rules of
 * the test's own, real traffic between them (never beyond).
 */
final class BridgeNetworkTest {
    private TestHost host;
    private String cidr;
    private Cidr podCidr;
    private BridgeNetwork network;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces, links and iptables");
        host = new TestHost();
        cidr = host.freeCidr(24);
        podCidr = Cidr.parse(cidr);
        network = host.network();
        network.configure(new NodeNetwork("node-1", cidr, TestHost.CLUSTER_CIDR));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void twoPodsGetTheirOwnAddressesAndReachTheHostAndEachOther() throws Exception {
        PodRef a = host.pod();
        PodRef b = host.pod();
        Attachment first = network.add(a);
        Attachment second = network.add(b);

        String gateway = Cidr.format(podCidr.gateway());
        assertEquals(new Attachment("bridge", "eth0", List.of(first.ips().get(0)), gateway), first);
        assertNotEquals(first.ips(), second.ips());
        for (Attachment attachment : List.of(first, second)) {
            int ip = Cidr.address(attachment.ips().get(0));
            assertTrue(podCidr.contains(ip) && ip >= podCidr.firstPod() && ip <= podCidr.lastPod(), attachment.toString());
        }
        String ipA = first.ips().get(0);
        String ipB = second.ips().get(0);
        assertTrue(host.ping(null, ipA), "host to a");
        assertTrue(host.ping(null, ipB), "host to b");
        assertTrue(host.ping(a, ipB), "a to b");
        assertTrue(host.ping(b, ipA), "b to a");
        assertTrue(host.ping(a, gateway), "a to its gateway");
        host.serve(a, ipA, "hello from a");
        assertEquals("hello from a", host.fetch(b, ipA));
        assertEquals("hello from a", host.fetch(a, ipA), "a reaches itself");
        network.check(a);
        network.check(b);
        String hostSide = host.run("ip", "-d", "-o", "link", "show", "dev", Names.hostVeth(a.uid()));
        assertTrue(hostSide.contains("master " + host.bridge) && hostSide.contains("hairpin on"), hostSide);
    }

    @Test
    void configureIsIdempotentAndSetsUpForwardingAndMasquerading() throws Exception {
        network.configure(new NodeNetwork("node-1", cidr, TestHost.CLUSTER_CIDR));
        host.network().configure(new NodeNetwork("node-1", cidr, TestHost.CLUSTER_CIDR));

        String nat = host.run("iptables", "-w", "5", "-t", "nat", "-S");
        String chain = HostSetup.natChain(host.bridge);
        assertEquals(1, count(nat, "-A POSTROUTING -m comment --comment \"kubundle bridge " + host.bridge + "\" -j " + chain), nat);
        assertEquals(1, count(nat, "-A " + chain + " -s " + cidr + " ! -d " + TestHost.CLUSTER_CIDR + " -j MASQUERADE"), nat);
        String filter = host.run("iptables", "-w", "5", "-S");
        String forward = HostSetup.forwardChain(host.bridge);
        assertEquals(1, count(filter, "-A FORWARD -m comment --comment \"kubundle bridge " + host.bridge + "\" -j " + forward), filter);
        assertEquals(1, count(filter, "-A " + forward + " -i " + host.bridge + " -j ACCEPT"), filter);
        assertEquals(1, count(filter, "-A " + forward + " -o " + host.bridge + " -j ACCEPT"), filter);
        String addresses = host.run("ip", "-o", "-4", "addr", "show", "dev", host.bridge);
        assertEquals(1, addresses.split("inet " + Cidr.format(podCidr.gateway()) + "/24 brd " + Cidr.format(podCidr.broadcast()) + " ", -1).length - 1,
                addresses);
        assertTrue(host.run("ip", "-o", "link", "show", "dev", host.bridge).contains(",UP"));
        assertEquals("1", Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_forward")).strip());
    }

    @Test
    void turningMasqueradingOffRemovesTheNatChainAndItsJump() throws Exception {
        assertTrue(host.run("iptables", "-w", "5", "-t", "nat", "-S").contains(HostSetup.natChain(host.bridge)));
        new BridgeNetwork(host.bridge, 1500, host.stateDir, false)
                .configure(new NodeNetwork("node-1", cidr, TestHost.CLUSTER_CIDR));
        assertFalse(host.run("iptables", "-w", "5", "-t", "nat", "-S").contains(host.bridge));
    }

    @Test
    void addingAgainGivesTheSameAttachment() throws Exception {
        PodRef pod = host.pod();
        Attachment first = network.add(pod);
        assertEquals(first, network.add(pod));
        assertEquals(first, host.network().add(pod));
        assertEquals(1, new Ipam(host.stateDir).all().size());
        network.check(pod);
    }

    @Test
    void deleteRemovesTheInterfacesReleasesTheAddressAndIsIdempotent() throws Exception {
        PodRef pod = host.pod();
        network.add(pod);
        network.delete(pod);
        assertFalse(host.linkExists(Names.hostVeth(pod.uid())));
        String inside = host.run("nsenter", "--net=" + pod.netnsPath(), "ip", "-o", "link");
        assertFalse(inside.contains("eth0"), inside);
        assertEquals(List.of(), new Ipam(host.stateDir).all());
        network.delete(pod);
        NetworkFailure gone = assertThrows(NetworkFailure.class, () -> network.check(pod));
        assertTrue(gone.getMessage().contains("has no address"), gone.getMessage());
        assertDoesNotThrow(() -> network.delete(host.pod("/run/netns/kbt-" + host.suffix + "-never-made")));
    }

    @Test
    void aMissingNamespaceFailsClearlyAndLeavesNothing() throws Exception {
        String missing = "/run/netns/kbt-" + host.suffix + "-missing";
        PodRef pod = host.pod(missing);
        NetworkFailure failure = assertThrows(NetworkFailure.class, () -> network.add(pod));
        assertEquals("network namespace " + missing + " of pod default/" + pod.name() + " does not exist", failure.getMessage());
        assertFalse(host.linkExists(Names.hostVeth(pod.uid())));
        assertEquals(List.of(), new Ipam(host.stateDir).all());
    }

    @Test
    void aFailureHalfWayUndoesWhatWasMade() throws Exception {
        PodRef pod = host.pod();
        // an interface of that name already in the namespace: the veth pair cannot be made
        host.run("nsenter", "--net=" + pod.netnsPath(), "ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth1");
        NetworkFailure failure = assertThrows(NetworkFailure.class, () -> network.add(pod));
        assertTrue(failure.getMessage().startsWith("wiring pod default/" + pod.name() + " to bridge " + host.bridge + " failed: `ip -batch -`"),
                failure.getMessage());
        assertTrue(failure.getMessage().contains("File exists"), failure.getMessage());
        assertFalse(host.linkExists(Names.hostVeth(pod.uid())));
        assertEquals(List.of(), new Ipam(host.stateDir).all());
    }

    @Test
    void checkSaysWhatIsWrongAndAddMendsIt() throws Exception {
        PodRef pod = host.pod();
        String ip = network.add(pod).ips().get(0);
        host.run("nsenter", "--net=" + pod.netnsPath(), "ip", "addr", "flush", "dev", "eth0");
        NetworkFailure noAddress = assertThrows(NetworkFailure.class, () -> network.check(pod));
        assertEquals("pod default/" + pod.name() + ": interface eth0 in " + pod.netnsPath() + " does not have " + ip + "/24",
                noAddress.getMessage());

        String mended = network.add(pod).ips().get(0);
        network.check(pod);
        assertTrue(host.ping(null, mended));

        host.run("ip", "link", "set", "dev", Names.hostVeth(pod.uid()), "nomaster");
        NetworkFailure offBridge = assertThrows(NetworkFailure.class, () -> network.check(pod));
        assertTrue(offBridge.getMessage().contains("is not on bridge " + host.bridge), offBridge.getMessage());
    }

    @Test
    void twentyPodsAddedAtOnceGetTwentyAddresses() throws Exception {
        List<PodRef> pods = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            pods.add(host.pod());
        }
        ExecutorService threads = Executors.newFixedThreadPool(10);
        try {
            List<Future<Attachment>> adds = new ArrayList<>();
            for (PodRef pod : pods) {
                adds.add(threads.submit(() -> network.add(pod)));
            }
            Set<String> ips = new HashSet<>();
            for (Future<Attachment> add : adds) {
                ips.add(add.get().ips().get(0));
            }
            assertEquals(20, ips.size());
            assertEquals(20, new Ipam(host.stateDir).all().size());
            for (PodRef pod : pods) {
                network.check(pod);
            }
            assertTrue(host.ping(pods.get(0), network.add(pods.get(19)).ips().get(0)));
            List<Future<?>> deletes = new ArrayList<>();
            for (PodRef pod : pods) {
                deletes.add(threads.submit(() -> {
                    network.delete(pod);
                    return null;
                }));
            }
            for (Future<?> delete : deletes) {
                delete.get();
            }
            assertEquals(List.of(), new Ipam(host.stateDir).all());
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aNewInstanceTakesOverWhileThePodsOfTheOldKeepWorking() throws Exception {
        PodRef a = host.pod();
        PodRef b = host.pod();
        String ipA = network.add(a).ips().get(0);
        String ipB = network.add(b).ips().get(0);
        host.serve(a, ipA, "still here");

        // the swap: the old instance is dropped without a word, the new one is not configured yet
        BridgeNetwork swapped = host.network();
        swapped.check(a);
        PodRef c = host.pod();
        String ipC = swapped.add(c).ips().get(0);
        assertFalse(List.of(ipA, ipB).contains(ipC), ipC);
        swapped.delete(b);
        assertFalse(host.linkExists(Names.hostVeth(b.uid())));
        assertEquals(Set.of(ipA, ipC), ips());

        assertEquals("still here", host.fetch(null, ipA));
        assertEquals("still here", host.fetch(c, ipA));
        swapped.check(a);
    }

    @Test
    void aNewCidrServesNewPodsAndOldPodsKeepWorking() throws Exception {
        PodRef old = host.pod();
        String oldIp = network.add(old).ips().get(0);
        String newCidr = host.freeCidr(24);
        network.configure(new NodeNetwork("node-1", newCidr, TestHost.CLUSTER_CIDR));
        PodRef young = host.pod();
        Attachment attachment = network.add(young);
        Cidr next = Cidr.parse(newCidr);
        assertTrue(next.contains(Cidr.address(attachment.ips().get(0))), attachment.toString());
        assertEquals(Cidr.format(next.gateway()), attachment.gateway());

        network.check(old);
        assertEquals(network.add(old).gateway(), Cidr.format(podCidr.gateway()));
        assertTrue(host.ping(null, oldIp), "host to the old pod");
        assertTrue(host.ping(young, oldIp), "new pod to old pod, routed by the host");
        assertTrue(host.ping(old, attachment.ips().get(0)), "old pod to new pod");
    }

    @Test
    void aFullCidrFailsClearlyAndAReleasedAddressIsGivenAgain() throws Exception {
        String small = host.freeCidr(29);
        network.configure(new NodeNetwork("node-1", small, null));
        List<PodRef> pods = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            PodRef pod = host.pod();
            network.add(pod);
            pods.add(pod);
        }
        PodRef sixth = host.pod();
        NetworkFailure full = assertThrows(NetworkFailure.class, () -> network.add(sixth));
        assertEquals("no free address in pod CIDR " + small + ": all 5 pod addresses are taken", full.getMessage());
        assertFalse(host.linkExists(Names.hostVeth(sixth.uid())));

        String freed = network.add(pods.get(2)).ips().get(0);
        network.delete(pods.get(2));
        assertEquals(freed, network.add(sixth).ips().get(0));
        assertTrue(host.ping(pods.get(0), freed));
    }

    @Test
    void anInstanceThatWasNeverConfiguredSaysSo() throws Exception {
        BridgeNetwork fresh = new BridgeNetwork(host.bridge, 1500, host.stateDir.resolve("elsewhere"), true);
        NetworkFailure failure = assertThrows(NetworkFailure.class, () -> fresh.add(host.pod()));
        assertTrue(failure.getMessage().contains("no pod CIDR yet"), failure.getMessage());
    }

    private Set<String> ips() throws NetworkFailure {
        Set<String> ips = new HashSet<>();
        for (Ipam.Allocation allocation : new Ipam(host.stateDir).all()) {
            ips.add(allocation.ip());
        }
        return ips;
    }

    private static int count(String text, String line) {
        return (int) text.lines().filter(line::equals).count();
    }
}
