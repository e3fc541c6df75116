package io.kubundle.proxy.nftables.internal;

import static io.kubundle.proxy.support.ProxyFixtures.clusterIp;
import static io.kubundle.proxy.support.ProxyFixtures.ready;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.proxy.support.Endpoint;
import io.kubundle.proxy.support.Ownership;
import io.kubundle.proxy.support.ProxyFixtures;
import io.kubundle.proxy.support.ServicePort;
import io.kubundle.proxy.support.TestNet;

/**
 * The table as the kernel takes it: applied with the real {@code nft -f} inside a network
 * namespace of the test's (the host's ruleset is never touched) and read back with
 * {@code nft list table}; and real traffic through it to busybox httpd backends. As root only.
 */
class NamespaceNftTest {
    private static final String TABLE = "kubundle-test";

    @TempDir
    Path dir;

    static NftGenerator.Settings settings(String table) {
        return new NftGenerator.Settings(table, 14, "10.244.0.0/16", false, List.of(), true);
    }

    @BeforeAll
    static void root() {
        assumeTrue(TestNet.canRun(), "needs root, ip netns, busybox and curl");
        try {
            assumeTrue(TestNet.run(List.of("nft", "--version")).exit() == 0, "needs nft (apt-get install nftables)");
        } catch (Exception e) {
            assumeTrue(false, "needs nft: " + e);
        }
    }

    private NftProxier proxier(TestNet net, ProxyFixtures.State state, String lock, Duration minInterval, Duration fullPeriod) {
        return new NftProxier(new Nft(net.commands()), settings(TABLE), state::snapshot, new Ownership(dir.resolve(lock)), minInterval,
                fullPeriod, true);
    }

    private static String list(TestNet net) throws Exception {
        return new Nft(net.commands()).list(TABLE);
    }

    @Test
    void aFullSyncReplacesTheTablePartialOnesChangeOnlyWhatChangedCloseDeletesIt() throws Exception {
        try (TestNet net = new TestNet()) {
            // a crashed instance's table with a chain nobody wants, and a table that is not ours
            TestNet.must("ip", "netns", "exec", net.node, "nft", "add table ip " + TABLE + "; add chain ip " + TABLE + " leftover-chain;"
                    + " add table ip someone-else; add chain ip someone-else theirs");
            ServicePort a = clusterIp("default", "a", "http", "10.96.0.1", 80);
            ServicePort b = clusterIp("default", "b", "", "10.96.0.2", 80);
            ProxyFixtures.State state = new ProxyFixtures.State().put(a, ready("10.77.0.10", 8080), ready("10.77.0.11", 8080)).put(b);
            NftProxier proxier = proxier(net, state, "one.lock", Duration.ofMillis(10), Duration.ofHours(1));
            try {
                assertTrue(proxier.syncOnce(false).full(), "the first sync is full whatever is asked");
                String table = list(net);
                assertFalse(table.contains("leftover-chain"), "the full sync replaced the table:\n" + table);
                assertTrue(TestNet.must("ip", "netns", "exec", net.node, "nft", "list", "tables").contains("someone-else"));
                String svcA = NftGenerator.chain("service", a);
                assertTrue(table.contains("10.96.0.1 . tcp . 80 : goto " + svcA), table);
                assertTrue(table.contains("meta l4proto tcp dnat ip to numgen random mod 2 map { 0 : 10.77.0.10 . 8080, 1 : 10.77.0.11 . 8080 }"),
                        table);
                assertTrue(table.replaceAll("\\s+", " ").contains("set hairpin { type ipv4_addr . ipv4_addr elements = {"
                        + " 10.77.0.10 . 10.77.0.10, 10.77.0.11 . 10.77.0.11 }"), "the hairpin set:\n" + table);
                assertTrue(table.contains("10.96.0.2 . tcp . 80 : goto reject-chain"), "b has no endpoints:\n" + table);

                // partial: b gets an endpoint, a loses one
                state.put(b, ready("10.77.0.12", 8080));
                state.put(a, ready("10.77.0.10", 8080));
                NftProxier.SyncResult partial = proxier.syncOnce(false);
                assertFalse(partial.full());
                assertTrue(partial.inputBytes() < 2000, "a small change is a small input: " + partial.inputBytes());
                table = list(net);
                assertFalse(table.contains("10.77.0.11"), "the endpoint that left is gone:\n" + table);
                assertFalse(table.contains("reject-chain,") || table.contains(": goto reject-chain"), table);
                assertTrue(table.contains("to 10.77.0.12:8080") && table.contains("to 10.77.0.10:8080"), table);

                assertEquals(0, proxier.syncOnce(false).inputBytes(), "nothing changed: no nft at all");

                state.remove(b);
                proxier.syncOnce(false);
                table = list(net);
                assertFalse(table.contains(NftGenerator.chain("service", b)), table);
                assertFalse(table.contains("10.96.0.2"), table);

                // an admin deleted one of our chains: the next partial sync fails, the one after is full and repairs it
                state.put(a, ready("10.77.0.20", 8080));
                TestNet.must("ip", "netns", "exec", net.node, "nft", "flush chain ip " + TABLE + " " + svcA + "; delete element ip "
                        + TABLE + " service-ips { 10.96.0.1 . tcp . 80 }; delete chain ip " + TABLE + " " + svcA);
                assertThrowsIo(() -> proxier.syncOnce(false));
                assertTrue(proxier.syncOnce(false).full());
                assertTrue(list(net).contains("10.96.0.1 . tcp . 80 : goto " + svcA));
            } finally {
                proxier.close();
            }
            assertEquals("", list(net), "close deletes the table");
            assertTrue(TestNet.must("ip", "netns", "exec", net.node, "nft", "list", "tables").contains("someone-else"));
        }
    }

    private interface IoAction {
        void run() throws Exception;
    }

    private static void assertThrowsIo(IoAction action) {
        try {
            action.run();
        } catch (java.io.IOException e) {
            return;
        } catch (Exception e) {
            throw new AssertionError("expected an IOException, got " + e, e);
        }
        throw new AssertionError("expected an IOException");
    }

    @Test
    void trafficIsDnatedBalancedKeptLocalFirewalledAndRejected() throws Exception {
        try (TestNet net = new TestNet()) {
            String pod1 = net.backend(11, 8080, "backend-1");
            String pod2 = net.backend(12, 8080, "backend-2");
            String pod3 = net.backend(13, 8080, "backend-3");
            Endpoint here = new Endpoint("10.77.0.11", 8080, true, true, false, true);
            Endpoint[] three = {here, ready("10.77.0.12", 8080), ready("10.77.0.13", 8080)};
            ServicePort web = new ServicePort("default", "web", "", "TCP", "10.96.0.50", 80, 30080, List.of(), 0, false);
            ServicePort empty = new ServicePort("default", "empty", "", "TCP", "10.96.0.51", 80, 30081, List.of(), 0, false);
            ServicePort sticky = new ServicePort("default", "sticky", "", "TCP", "10.96.0.52", 80, 0, List.of(), 600, false);
            ServicePort external = new ServicePort("default", "ext", "", "TCP", "10.96.0.53", 80, 0, List.of("10.78.0.100"), 0, false);
            ServicePort externalLocal = new ServicePort("default", "local", "", "TCP", "10.96.0.54", 80, 0, List.of("10.78.0.101"), 0,
                    true);
            ServicePort internalLocal = new ServicePort("default", "itp", "", "TCP", "10.96.0.55", 80, 0, List.of(), 0, false, true,
                    List.of(), List.of());
            ServicePort internalNoLocal = new ServicePort("default", "itp-none", "", "TCP", "10.96.0.56", 80, 0, List.of(), 0, false,
                    true, List.of(), List.of());
            ServicePort firewalled = new ServicePort("default", "lb", "", "TCP", "10.96.0.57", 80, 0, List.of("10.78.0.102"), 0, false,
                    false, List.of("10.78.0.102"), List.of("10.77.0.12/32"));
            ProxyFixtures.State state = new ProxyFixtures.State().put(web, three).put(empty).put(sticky, three).put(external, three)
                    .put(externalLocal, three).put(internalLocal, three)
                    .put(internalNoLocal, ready("10.77.0.12", 8080), ready("10.77.0.13", 8080)).put(firewalled, three);
            net.commands().prepareNode("proxy-nftables", true);
            NftProxier proxier = proxier(net, state, "traffic.lock", Duration.ofMillis(10), Duration.ofHours(1));
            try {
                proxier.start();
                TestNet.await(proxier::syncCount, 1, () -> "a first sync; " + proxier.lastResult());
                Set<String> all = Set.of("backend-1", "backend-2", "backend-3");
                assertEquals(all, TestNet.reached(net.node, "10.96.0.50:80", 60).keySet(), "from the node, by cluster IP");
                assertEquals(all, TestNet.reached(pod1, "10.96.0.50:80", 60).keySet(), "from a pod, itself included (hairpin)");
                assertEquals(1, TestNet.reached(net.node, "10.96.0.52:80", 20).size(), "ClientIP affinity: one client, one backend");
                assertEquals(all, TestNet.reached(pod2, "10.78.0.100:80", 45).keySet(), "an external IP, DNATed on arrival");
                assertEquals(Map.of("backend-1", true), TestNet.reached(pod2, "10.78.0.101:80", 20),
                        "externalTrafficPolicy Local: arriving traffic to this node's endpoint only");
                assertEquals(Map.of("backend-1", true), TestNet.reached(net.node, "10.96.0.55:80", 20),
                        "internalTrafficPolicy Local: cluster IP traffic to this node's endpoint only");
                assertEquals(28, TestNet.get(net.node, "10.96.0.56:80").exit(),
                        "internalTrafficPolicy Local without a local endpoint: dropped (a timeout)");
                assertEquals(all, TestNet.reached(net.node, "10.77.0.1:30080", 45).keySet(), "node port on the node's address");
                assertEquals(all, TestNet.reached(net.node, "127.0.0.1:30080", 45).keySet(), "node port on 127.0.0.1");
                assertEquals(3, TestNet.reached(pod2, "10.78.0.102:80", 30).size(), "loadBalancerSourceRanges: an allowed client");
                assertEquals(28, TestNet.get(pod3, "10.78.0.102:80").exit(), "loadBalancerSourceRanges: another one is dropped");

                long before = proxier.syncCount();
                state.put(web, here, ready("10.77.0.13", 8080));
                proxier.requestSync();
                TestNet.await(proxier::syncCount, before + 1, () -> "a sync after the change");
                assertFalse(proxier.lastResult().full());
                assertEquals(Set.of("backend-1", "backend-3"), TestNet.reached(net.node, "10.96.0.50:80", 40).keySet(),
                        "the removed endpoint gets no more traffic");

                long started = System.nanoTime();
                TestNet.Out refused = TestNet.get(net.node, "10.96.0.51:80");
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertEquals(7, refused.exit(), "rejected (connection refused), not timed out: " + refused.out());
                assertTrue(millis < 1000, "rejected fast: " + millis + " ms");
                assertEquals(7, TestNet.get(pod2, "10.77.0.1:30081").exit(), "a node port without endpoints: refused");
            } finally {
                proxier.close();
            }
            assertEquals("", list(net));
            assertTrue(TestNet.get(net.node, "10.96.0.50:80").exit() != 0, "no proxy, no service");
        }
    }

    @Test
    void aSecondInstanceWaitsForTheFirstToLeaveAndSyncsAreCoalesced() throws Exception {
        try (TestNet net = new TestNet()) {
            ServicePort web = clusterIp("default", "web", "", "10.96.0.1", 80);
            ProxyFixtures.State state = new ProxyFixtures.State().put(web, ready("10.77.0.10", 8080));
            // both read the same cluster; the first coalesces requests within 0.5 s
            List<NftProxier> both = List.of(proxier(net, state, "shared.lock", Duration.ofMillis(500), Duration.ofHours(1)),
                    proxier(net, state, "shared.lock", Duration.ofMillis(10), Duration.ofHours(1)));
            try {
                both.get(0).start();
                TestNet.await(both.get(0)::syncCount, 1, () -> "the first instance's sync");
                both.get(1).start();
                long syncsBefore = both.get(0).syncCount();
                for (int i = 0; i < 60; i++) {
                    state.put(web, ready("10.77.0." + (30 + i), 8080));
                    both.get(0).requestSync();
                    Thread.sleep(5);
                }
                Thread.sleep(800);
                long syncs = both.get(0).syncCount() - syncsBefore;
                assertTrue(syncs >= 1 && syncs <= 3, "60 requests in 0.3 s make one or two syncs, not " + syncs);
                assertTrue(list(net).contains("dnat to 10.77.0.89:8080"), "the last state is applied");
                assertEquals(0, both.get(1).syncCount(), "the second one waits while the first owns the table");
                state.put(web, ready("10.77.0.20", 8080));
                both.get(0).close();
                TestNet.await(both.get(1)::syncCount, 1, () -> "the second instance's sync");
                String table = list(net);
                assertTrue(table.contains("dnat to 10.77.0.20:8080") && !table.contains("10.77.0.89"), table);
            } finally {
                both.forEach(NftProxier::close);
            }
            assertEquals("", list(net));
        }
    }

    @Test
    void deletingATableThatIsNotThereIsNoError() throws Exception {
        try (TestNet net = new TestNet()) {
            Nft nft = new Nft(net.commands());
            assertTrue(nft.available());
            nft.apply(NftRuleset.cleanup(TABLE));
            assertEquals("", nft.list(TABLE));
        }
    }
}
