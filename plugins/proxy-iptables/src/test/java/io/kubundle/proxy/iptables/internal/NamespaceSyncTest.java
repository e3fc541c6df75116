package io.kubundle.proxy.iptables.internal;

import static io.kubundle.proxy.support.ProxyFixtures.clusterIp;
import static io.kubundle.proxy.support.ProxyFixtures.ready;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.proxy.support.Endpoint;
import io.kubundle.proxy.support.Ownership;
import io.kubundle.proxy.support.ProxyFixtures;
import io.kubundle.proxy.support.ServicePort;
import io.kubundle.proxy.support.TestNet;

/**
 * The rules as the kernel takes them: applied with the real iptables-restore inside a network
 * namespace of the test's (the host's tables are never touched) and read back with iptables-save;
 * and real traffic through them to busybox httpd backends. As root only.
 */
class NamespaceSyncTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void root() {
        assumeTrue(TestNet.canRun(), "needs root, ip netns, busybox and curl");
    }

    private Proxier proxier(TestNet net, ProxyFixtures.State state, String lock) {
        return new Proxier(Iptables.inNamespace(net.node), Fixtures.settings(), state::snapshot, new Ownership(dir.resolve(lock)), Duration.ofMillis(10),
                Duration.ofHours(1), true);
    }

    private static long count(String save, String text) {
        return save.lines().filter(l -> l.contains(text)).count();
    }

    @Test
    void fullThenPartialSyncsCleanupAndLeftovers() throws Exception {
        try (TestNet net = new TestNet()) {
            // a crashed instance's leftovers: a stale endpoint chain and a jump
            TestNet.must("ip", "netns", "exec", net.node, "iptables", "-t", "nat", "-N", "KUBE-SEP-LEFTOVERLEFTOVER");
            TestNet.must("ip", "netns", "exec", net.node, "iptables", "-t", "nat", "-N", "KUBE-SERVICES");
            TestNet.must("ip", "netns", "exec", net.node, "iptables", "-t", "nat", "-A", "OUTPUT", "-m", "comment", "--comment",
                    "kubernetes service portals", "-j", "KUBE-SERVICES");
            TestNet.must("ip", "netns", "exec", net.node, "iptables", "-t", "nat", "-N", "OTHER-CHAIN");
            ServicePort a = clusterIp("default", "a", "http", "10.96.0.1", 80);
            ServicePort b = clusterIp("default", "b", "", "10.96.0.2", 80);
            ProxyFixtures.State state = new ProxyFixtures.State().put(a, ready("10.77.0.10", 8080), ready("10.77.0.11", 8080)).put(b);
            ChainNames names = new ChainNames("KUBE");
            Proxier proxier = proxier(net, state, "one.lock");
            try {
                Proxier.SyncResult first = proxier.syncOnce(true);
                assertTrue(first.full());
                String save = net.save();
                assertFalse(save.contains("LEFTOVER"), "leftovers are removed:\n" + save);
                assertTrue(save.contains(":OTHER-CHAIN"), "chains not ours stay");
                assertEquals(1, count(save, "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"), save);
                assertEquals(1, count(save, "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"));
                assertEquals(1, count(save, "-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING"));
                assertTrue(save.contains("-A " + names.service(a) + " -m comment --comment \"default/a:http -> 10.77.0.10:8080\""
                        + " -m statistic --mode random --probability 0.50000000000 -j " + names.endpoint(a, ready("10.77.0.10", 8080))), save);
                assertTrue(save.contains("-j DNAT --to-destination 10.77.0.11:8080"));
                assertTrue(save.contains("-d 10.96.0.2/32 -p tcp -m comment --comment \"default/b has no endpoints\" -m tcp --dport 80"
                        + " -j REJECT --reject-with icmp-port-unreachable"), save);

                // a second full sync leaves one of each jump
                proxier.syncOnce(true);
                assertEquals(1, count(net.save(), "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"));

                // partial: b gets an endpoint, a loses one
                state.put(b, ready("10.77.0.12", 8080));
                state.put(a, ready("10.77.0.10", 8080));
                Proxier.SyncResult partial = proxier.syncOnce(false);
                assertFalse(partial.full());
                save = net.save();
                assertFalse(save.contains("10.77.0.11"), "the endpoint that left is gone:\n" + save);
                assertFalse(save.contains("has no endpoints"), save);
                assertTrue(save.contains("-j DNAT --to-destination 10.77.0.12:8080"));
                assertEquals(1, count(save, "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"));

                // a partial sync with nothing changed runs no iptables-restore
                assertEquals(0, proxier.syncOnce(false).restoreBytes());

                // b goes: its chains go
                state.remove(b);
                proxier.syncOnce(false);
                save = net.save();
                assertFalse(save.contains(names.service(b)), save);
                assertFalse(save.contains(names.endpoint(b, ready("10.77.0.12", 8080))), save);
            } finally {
                proxier.close();
            }
            String after = net.save();
            assertFalse(after.contains("KUBE-"), "close removes every chain and jump:\n" + after);
            assertTrue(after.contains(":OTHER-CHAIN"));
        }
    }

    @Test
    void trafficReachesEveryEndpointLeavesRemovedOnesAndIsRejectedWithoutAny() throws Exception {
        try (TestNet net = new TestNet()) {
            Map<String, String> backends = new HashMap<>();
            String pod1 = null;
            for (int i = 1; i <= 3; i++) {
                String ns = net.backend(10 + i, 8080, "backend-" + i);
                backends.put("backend-" + i, ns);
                if (i == 1) {
                    pod1 = ns;
                }
            }
            ServicePort web = new ServicePort("default", "web", "", "TCP", "10.96.0.50", 80, 30080, List.of(), 0, false);
            ServicePort empty = clusterIp("default", "empty", "", "10.96.0.51", 80);
            ServicePort sticky = new ServicePort("default", "sticky", "", "TCP", "10.96.0.52", 80, 0, List.of(), 600, false);
            ProxyFixtures.State state = new ProxyFixtures.State().put(web, ready("10.77.0.11", 8080), ready("10.77.0.12", 8080),
                    ready("10.77.0.13", 8080)).put(empty).put(sticky, ready("10.77.0.11", 8080), ready("10.77.0.12", 8080),
                    ready("10.77.0.13", 8080));
            // external (or load-balancer) IPs, with policy Cluster and Local; backend-1 runs on "this node"
            ServicePort external = new ServicePort("default", "ext", "", "TCP", "10.96.0.53", 80, 0, List.of("10.78.0.100"), 0, false);
            ServicePort local = new ServicePort("default", "local", "", "TCP", "10.96.0.54", 80, 0, List.of("10.78.0.101"), 0, true);
            Endpoint here = new Endpoint("10.77.0.11", 8080, true, true, false, true);
            state.put(external, ready("10.77.0.11", 8080), ready("10.77.0.12", 8080), ready("10.77.0.13", 8080))
                    .put(local, here, ready("10.77.0.12", 8080), ready("10.77.0.13", 8080));
            // internalTrafficPolicy: Local with and without a local endpoint; a load balancer IP only 10.77.0.12 may reach
            ServicePort internalLocal = new ServicePort("default", "itp", "", "TCP", "10.96.0.55", 80, 0, List.of(), 0, false, true,
                    List.of(), List.of());
            ServicePort internalNone = new ServicePort("default", "itp-none", "", "TCP", "10.96.0.56", 80, 0, List.of(), 0, false, true,
                    List.of(), List.of());
            ServicePort firewalled = new ServicePort("default", "lb", "", "TCP", "10.96.0.57", 80, 0, List.of("10.78.0.102"), 0, false,
                    false, List.of("10.78.0.102"), List.of("10.77.0.12/32"));
            state.put(internalLocal, here, ready("10.77.0.12", 8080), ready("10.77.0.13", 8080))
                    .put(internalNone, ready("10.77.0.12", 8080), ready("10.77.0.13", 8080))
                    .put(firewalled, ready("10.77.0.11", 8080), ready("10.77.0.12", 8080), ready("10.77.0.13", 8080));
            net.commands().prepareNode("proxy-iptables", true);
            assertEquals("1", net.commands().sysctlValue("net.ipv4.conf.all.route_localnet"));
            Proxier proxier = proxier(net, state, "traffic.lock");
            try {
                proxier.start();
                awaitSyncs(proxier, 1);
                assertEquals(Map.of("backend-1", true, "backend-2", true, "backend-3", true), reached(net.node, "10.96.0.50:80", 60),
                        "from the node, by cluster IP");
                assertEquals(Map.of("backend-1", true, "backend-2", true, "backend-3", true), reached(pod1, "10.96.0.50:80", 60),
                        "from a pod, itself included (hairpin)");
                assertEquals(1, reached(net.node, "10.96.0.52:80", 20).size(), "ClientIP affinity: one client, one backend");
                String pod2 = backends.get("backend-2");
                assertEquals(3, reached(pod2, "10.78.0.100:80", 45).size(), "an external IP is DNATed on arrival to every endpoint");
                assertEquals(Map.of("backend-1", true), reached(pod2, "10.78.0.101:80", 20),
                        "externalTrafficPolicy Local: arriving traffic goes to this node's endpoint only");
                assertEquals(Map.of("backend-1", true), reached(net.node, "10.96.0.55:80", 20),
                        "internalTrafficPolicy Local: cluster IP traffic to this node's endpoint only");
                assertEquals(28, TestNet.get(net.node, "10.96.0.56:80").exit(),
                        "internalTrafficPolicy Local without a local endpoint: dropped (a timeout)");
                assertEquals(3, reached(pod2, "10.78.0.102:80", 30).size(), "loadBalancerSourceRanges: an allowed client");
                // routed out of br0 if it were let through: what stops it is the filter rule, which counts it
                TestNet.must("ip", "netns", "exec", net.node, "ip", "route", "add", "10.78.0.0/24", "dev", "br0");
                assertEquals(28, TestNet.get(backends.get("backend-3"), "10.78.0.102:80").exit(),
                        "loadBalancerSourceRanges: another client gets nothing");
                String dropped = TestNet.must("ip", "netns", "exec", net.node, "iptables-save", "-c", "-t", "filter").lines()
                        .filter(l -> l.contains("-A KUBE-PROXY-FIREWALL") && l.contains("-d 10.78.0.102/32")).findFirst().orElse("");
                assertTrue(dropped.endsWith("-j DROP") && !dropped.startsWith("[0:"), "dropped by KUBE-PROXY-FIREWALL: " + dropped);
                assertEquals(3, reached(net.node, "10.77.0.1:30080", 45).size(), "node port on the node's address");
                assertEquals(3, reached(net.node, "127.0.0.1:30080", 45).size(), "node port on 127.0.0.1");

                long before = proxier.syncCount();
                state.put(web, ready("10.77.0.11", 8080), ready("10.77.0.13", 8080));
                proxier.requestSync();
                awaitSyncs(proxier, before + 1);
                assertEquals(Map.of("backend-1", true, "backend-3", true), reached(net.node, "10.96.0.50:80", 40),
                        "the removed endpoint gets no more traffic");

                long started = System.nanoTime();
                TestNet.Out refused = TestNet.get(net.node, "10.96.0.51:80");
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertEquals(7, refused.exit(), "rejected (connection refused), not timed out: " + refused.out());
                assertTrue(millis < 1000, "rejected fast: " + millis + " ms");
            } finally {
                proxier.close();
            }
            assertFalse(net.save().contains("KUBE-"));
            assertTrue(TestNet.get(net.node, "10.96.0.50:80").exit() != 0, "no proxy, no service");
        }
    }

    @Test
    void aSecondInstanceWaitsForTheFirstToLeave() throws Exception {
        try (TestNet net = new TestNet()) {
            ServicePort a = clusterIp("default", "a", "", "10.96.0.1", 80);
            ProxyFixtures.State first = new ProxyFixtures.State().put(a, ready("10.77.0.10", 8080));
            ProxyFixtures.State second = new ProxyFixtures.State().put(a, ready("10.77.0.20", 8080));
            Proxier old = proxier(net, first, "shared.lock");
            Proxier next = proxier(net, second, "shared.lock");
            try {
                old.start();
                awaitSyncs(old, 1);
                next.start();
                Thread.sleep(1000);
                assertEquals(0, next.syncCount(), "the second one waits");
                assertTrue(net.save().contains("10.77.0.10:8080"));
                old.close();
                awaitSyncs(next, 1);
                String save = net.save();
                assertTrue(save.contains("10.77.0.20:8080") && !save.contains("10.77.0.10:8080"), save);
            } finally {
                old.close();
                next.close();
            }
            assertFalse(net.save().contains("KUBE-"));
            assertTrue(Files.exists(dir.resolve("shared.lock")));
        }
    }

    @Test
    void requestsAreCoalescedAndFullSyncsComeByThemselves() throws Exception {
        try (TestNet net = new TestNet()) {
            ServicePort a = clusterIp("default", "a", "", "10.96.0.1", 80);
            ProxyFixtures.State state = new ProxyFixtures.State().put(a, ready("10.77.0.10", 8080));
            Proxier proxier = new Proxier(Iptables.inNamespace(net.node), Fixtures.settings(), state::snapshot, new Ownership(dir.resolve("c.lock")),
                    Duration.ofMillis(500), Duration.ofSeconds(3), true);
            try {
                proxier.start();
                awaitSyncs(proxier, 1);
                long before = proxier.syncCount();
                long started = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    state.put(a, ready("10.77.0." + (20 + i % 50), 8080));
                    proxier.requestSync();
                    Thread.sleep(5);
                }
                long allowed = (System.nanoTime() - started) / 500_000_000L + 2;
                Thread.sleep(1200);
                long syncs = proxier.syncCount() - before;
                assertTrue(syncs >= 1 && syncs <= allowed, "100 requests make at most one sync each 0.5 s (" + allowed + "), not " + syncs);
                assertTrue(net.save().contains("--to-destination 10.77.0." + (20 + 99 % 50) + ":8080"), "the last state is applied");
                assertFalse(proxier.lastResult().full());

                // with no request, the full resync comes when its period is over
                long quiet = proxier.syncCount();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (proxier.syncCount() == quiet && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(proxier.syncCount() > quiet, "a full resync came");
                assertTrue(proxier.lastResult().full());
            } finally {
                proxier.close();
            }
        }
    }

    static void awaitSyncs(Proxier proxier, long count) throws InterruptedException {
        TestNet.await(proxier::syncCount, count, () -> "sync " + count + "; last " + proxier.lastResult());
    }

    static Map<String, Boolean> reached(String ns, String address, int requests) throws Exception {
        return TestNet.reached(ns, address, requests);
    }
}
