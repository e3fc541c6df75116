package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nftables service proxy swapped in and out under load: {@code kubundle up}, a busybox httpd
 * Deployment of 2 behind a NodePort Service, requests from the host to the ClusterIP throughout
 * while the admin swaps proxy-iptables for proxy-nftables ({@code bundles swap}) and back. With
 * proxy-nftables in, the iptables chains are gone and the ClusterIP answers from the host and from a
 * pod, the NodePort on 127.0.0.1, through the table's rules; after the swap back the table is gone.
 *
 * <p>As {@link ProxySwapIT} (whose helpers it uses), other tests run {@code up} on this host at the
 * same time: the iptables proxy gets a chain prefix of its own, the nftables proxy a table of its own,
 * the addresses and node port are random; chains, table and lock files are checked gone (and removed
 * if not) at the end.
 */
class ProxyNftablesIT {
    static final String IPTABLES = "io.kubundle.proxy.iptables";
    static final String NFTABLES = "io.kubundle.proxy.nftables";
    /** Failed requests allowed across both swaps (the goal is 0). */
    static final int FAILURES_ALLOWED = 3;

    @TempDir
    static Path dir;

    static RealNode node;
    static String prefix;
    static String table;
    static String clusterIp;
    static int nodePort;

    @BeforeAll
    static void startNode() throws Exception {
        assumeTrue(Distribution.run(List.of("nft", "--version")).exitCode() == 0, "needs nft (apt-get install nftables)");
        String suffix = HexFormat.of().withUpperCase().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        prefix = "KN" + suffix;
        table = "kubundle-it-" + suffix.toLowerCase();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        clusterIp = "10." + (100 + random.nextInt(10)) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
        nodePort = 30000 + random.nextInt(2700);
        node = new RealNode(dir);
        Path etc = node.distribution.home.resolve("etc");
        Files.writeString(etc.resolve("io.kubundle.proxy.nftables.cfg"), "table = " + table + "\nminSyncMillis = 20\n");
        Files.writeString(etc.resolve("io.kubundle.proxy.iptables.cfg"), "chainPrefix = " + prefix + "\nminSyncMillis = 20\n");
        Await.until(() -> ProxySwapIT.iptablesSave().contains(":" + prefix + "-SERVICES"), () -> "no " + prefix + "-SERVICES chain", 60);
    }

    @AfterAll
    static void stopNode() throws Exception {
        List<String> problems = new ArrayList<>();
        try {
            ProxySwapIT.closeNode(node);
        } finally {
            if (table != null) {
                if (!listTable().isEmpty()) {
                    problems.add("table " + table + " left:\n" + listTable());
                    Distribution.run(List.of("nft", "delete", "table", "ip", table));
                }
                String left = ours();
                if (!left.isEmpty()) {
                    problems.add("chains of " + prefix + " left:\n" + left);
                }
                // both proxies keep their lock files (see their READMEs); the names are this test's alone
                ProxySwapIT.deleteLockFiles(Path.of("/run/kubundle/proxy-nftables"), "*-" + table + ".lock");
                ProxySwapIT.deleteLockFiles(Path.of("/run/kubundle/proxy-iptables"), "*-" + prefix + ".lock");
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(problems);
        }
    }

    /** The iptables proxy's chains and jumps (this test's prefix). */
    static String ours() {
        return String.join("\n", ProxySwapIT.iptablesSave().lines().filter(l -> l.contains(prefix + "-")).toList());
    }

    /** {@code nft list table ip <table>}, empty when there is none. */
    static String listTable() {
        try {
            Distribution.Result result = Distribution.run(List.of("nft", "list", "table", "ip", table));
            return result.exitCode() == 0 ? result.out() : "";
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** Requests until both replicas answered at {@code host:port}, at most 60 s. */
    static Set<String> awaitBoth(String how, String host, int port) throws InterruptedException {
        return ProxySwapIT.awaitBothReplicas(how, () -> ProxySwapIT.get(host, port), () -> listTable() + ours());
    }

    /** After a second of load, {@code kubundle bundles swap OLD bundles/JAR*}; when it ran (since the load started) and what it said. */
    static String swap(String old, String jarPrefix, long loadStart) throws Exception {
        Thread.sleep(1000);
        double since = ProxySwapIT.seconds(loadStart);
        Distribution.Result swapped = node.distribution.kubundle("bundles", "swap", old, ProxySwapIT.jar(node, jarPrefix).toString(),
                "--data-dir", node.data.toString());
        assertEquals(0, swapped.exitCode(), swapped.err() + swapped.out());
        return String.format("%.3f-%.3f s: %s", since, ProxySwapIT.seconds(loadStart), swapped.out().strip());
    }

    @Test
    void swapToNftablesAndBackUnderLoad() throws Exception {
        ProxySwapIT.deployWeb(node, dir, "nft-web", "type: NodePort\n  clusterIP: " + clusterIp
                + "\n  ports: [{name: http, port: 80, targetPort: http, nodePort: " + nodePort + "}]");
        Set<String> replicas = awaitBoth("through iptables", clusterIp, 80);
        assertEquals("", listTable(), "no nftables table before the swap");

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        long loadStart = System.nanoTime();
        Thread load = ProxySwapIT.startLoad(() -> ProxySwapIT.get(clusterIp, 80), running, ok, failures, loadStart);
        String toNftables;
        String toIptables;
        try {
            toNftables = swap(IPTABLES, "kubundle-proxy-nftables-", loadStart);
            assertEquals("", ours(), "the iptables proxy's chains are gone");
            Await.until(() -> listTable().contains(clusterIp + " . tcp . 80 : goto service-"), () -> "the cluster IP is not in the"
                    + " table's service-ips map:\n" + listTable(), 30);
            String nft = listTable();
            assertTrue(nft.contains("tcp . " + nodePort + " : goto external-"), "the node port's element:\n" + nft);
            assertTrue(nft.contains("numgen random mod 2 map"), "two endpoints to choose from:\n" + nft);
            Thread.sleep(2000);
        } finally {
            running.set(false);
            load.join();
        }
        int failedIn = failures.size();
        assertEquals(replicas, awaitBoth("the cluster IP through nftables", clusterIp, 80), "both replicas through the table");
        assertEquals(replicas, awaitBoth("the node port on 127.0.0.1 through nftables", "127.0.0.1", nodePort));
        String fromPod = node.kubectl.httpGetFromPod("client", clusterIp, 80);
        assertTrue(replicas.contains(fromPod), "a pod reaches the cluster IP through the table: " + fromPod);
        assertEquals("", ours(), "still no iptables chains of ours: nftables did all that");

        running.set(true);
        load = ProxySwapIT.startLoad(() -> ProxySwapIT.get(clusterIp, 80), running, ok, failures, loadStart);
        try {
            toIptables = swap(NFTABLES, "kubundle-proxy-iptables-", loadStart);
            assertEquals("", listTable(), "the nftables proxy's table is gone once it is");
            Await.until(() -> ProxySwapIT.iptablesSave().contains(":" + prefix + "-SERVICES"), () -> "iptables chains not back", 30);
            Thread.sleep(2000);
        } finally {
            running.set(false);
            load.join();
        }
        assertEquals(replicas, awaitBoth("through iptables again", clusterIp, 80));
        assertFalse(Distribution.run(List.of("nft", "list", "tables")).out().contains(table), "no table of ours left");
        int total = ok.get() + failures.size();
        System.out.printf("ProxyNftablesIT: %s%nProxyNftablesIT: %s%n", toNftables, toIptables);
        System.out.printf("ProxyNftablesIT: requests failed during a swap: %d of %d (iptables -> nftables %d, nftables -> iptables %d),"
                + " one request every ~5 ms from the host%n", failures.size(), total, failedIn, failures.size() - failedIn);
        failures.forEach(f -> System.out.println("ProxyNftablesIT:   failed at " + f));
        assertTrue(total > 100, "the load ran: " + total);
        assertTrue(failures.size() <= FAILURES_ALLOWED, "failed requests during the swaps: " + failures);
    }
}
