package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.itests.support.BundleJars;

/**
 * The service proxy swapped under load: {@code kubundle up}, a busybox httpd Deployment of 2
 * behind a ClusterIP Service, requests from the host to the ClusterIP running throughout while
 * the admin swaps proxy-iptables for proxy-userspace ({@code bundles swap}), that for a 9.0.0 copy of
 * itself (side by side), and back to proxy-iptables. Failed
 * requests are counted and printed ("requests failed during a swap"); the goal is none, the
 * assertion a small bound. Also prints requests/s through the ClusterIP with each proxy.
 *
 * <p>As in {@link ProxyIT}, other tests run {@code up} on this host at the same time: the iptables
 * proxy gets a chain prefix of its own (else it would wait for their proxy's lock on the
 * {@code KUBE} chains, and its clean-up would touch theirs), the userspace proxy a link name of its
 * own, and the cluster IP is random. The link, the chains and the lock file are checked gone (and
 * removed if not) at the end.
 */
class ProxySwapIT {
    static final String IPTABLES = "io.kubundle.proxy.iptables";
    static final String USERSPACE = "io.kubundle.proxy.userspace";
    /** Sequential requests timed through the ClusterIP with each proxy, after {@link #WARM_UP} untimed ones. */
    static final int RATE_REQUESTS = 1000;
    static final int WARM_UP = 200;
    /** Failed requests allowed across both swaps (the goal is 0). */
    static final int FAILURES_ALLOWED = 3;

    @TempDir
    static Path dir;

    static RealNode node;
    static String prefix;
    static String link;
    static String clusterIp;

    @BeforeAll
    static void startNode() throws Exception {
        String suffix = HexFormat.of().withUpperCase().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        prefix = "KS" + suffix;
        link = "kbsvc" + suffix.toLowerCase();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        clusterIp = "10." + (100 + random.nextInt(10)) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
        node = new RealNode(dir);
        Path etc = node.distribution.home.resolve("etc");
        Files.writeString(etc.resolve("io.kubundle.proxy.userspace.cfg"), "linkName = " + link + "\n");
        Files.writeString(etc.resolve("io.kubundle.proxy.iptables.cfg"), "chainPrefix = " + prefix + "\nminSyncMillis = 20\n");
        Await.until(() -> iptablesSave().contains(":" + prefix + "-SERVICES"), () -> "no " + prefix + "-SERVICES chain", 60);
    }

    @AfterAll
    static void stopNode() throws Exception {
        List<String> problems = new ArrayList<>();
        try {
            closeNode(node);
        } finally {
            if (prefix != null) {
                if (linkExists()) {
                    problems.add("link " + link + " left");
                    Distribution.run(List.of("ip", "link", "del", link));
                }
                String left = ours();
                if (!left.isEmpty()) {
                    problems.add("chains of " + prefix + " left:\n" + left);
                }
                // the iptables proxy keeps its lock file (see its README); the prefix is this test's alone
                deleteLockFiles(Path.of("/run/kubundle/proxy-iptables"), "*-" + prefix + ".lock");
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(problems);
        }
    }

    /** Deletes {@link #deployWeb}'s Deployment first (else it replaces the pods the node deletes when it closes), then stops the node. */
    static void closeNode(RealNode node) throws Exception {
        if (node != null) {
            node.kubectl.run("delete", "deployment", "web", "--wait=true", "--timeout=60s");
            node.close();
        }
    }

    static void deleteLockFiles(Path directory, String glob) throws IOException {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (var matching = Files.newDirectoryStream(directory, glob)) {
            for (Path lock : matching) {
                Files.deleteIfExists(lock);
            }
        }
    }

    static String iptablesSave() {
        try {
            return Distribution.run(List.of("iptables-save")).out();
        } catch (Exception e) {
            return e.toString();
        }
    }

    static String ours() {
        return String.join("\n", iptablesSave().lines().filter(l -> l.contains(prefix + "-")).toList());
    }

    static boolean linkExists() throws Exception {
        return Distribution.run(List.of("ip", "link", "show", "dev", link)).exitCode() == 0;
    }

    /** One HTTP/1.0 GET to the ClusterIP from the host: the body, or throws. */
    static String get() throws IOException {
        return get(clusterIp, 80);
    }

    /** One HTTP/1.0 GET to {@code host:port} from the host: the body, or throws. */
    static String get(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            socket.setSoTimeout(3000);
            socket.getOutputStream().write("GET / HTTP/1.0\r\nHost: web\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int body = answer.indexOf("\r\n\r\n");
            if (!answer.startsWith("HTTP/1.") || !answer.contains(" 200 ") || body < 0) {
                throw new IOException("not a 200: " + answer.lines().findFirst().orElse("(empty)"));
            }
            return answer.substring(body + 4).strip();
        }
    }

    /** Requests until every replica answered (both names seen), at most 60 s. */
    static Set<String> awaitBothReplicas(String how) throws InterruptedException {
        return awaitBothReplicas(how, ProxySwapIT::get, ProxySwapIT::ours);
    }

    /** {@code request} until both replicas answered, at most 60 s; {@code rules} says what the proxy made, if not. */
    static Set<String> awaitBothReplicas(String how, Request request, java.util.function.Supplier<String> rules)
            throws InterruptedException {
        Set<String> seen = new TreeSet<>();
        String[] last = {""};
        Await.until(() -> {
            try {
                seen.add(request.get());
            } catch (IOException e) {
                last[0] = e.toString();
            }
            return seen.size() >= 2;
        }, () -> how + ": replicas seen " + seen + ", last error " + last[0] + "\n" + rules.get(), 60);
        return seen;
    }

    /** requests/s of {@link #RATE_REQUESTS} sequential requests; fails on any error. */
    static double rate() throws IOException {
        for (int i = 0; i < WARM_UP; i++) {
            get();
        }
        long start = System.nanoTime();
        for (int i = 0; i < RATE_REQUESTS; i++) {
            get();
        }
        return RATE_REQUESTS / ((System.nanoTime() - start) / 1e9);
    }

    static Path jar(String prefixOfName) throws IOException {
        return jar(node, prefixOfName);
    }

    /** The jar in {@code node}'s distribution's bundles/ whose name starts so. */
    static Path jar(RealNode node, String prefixOfName) throws IOException {
        try (var files = Files.list(node.distribution.home.resolve("bundles"))) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefixOfName)).findFirst().orElseThrow();
        }
    }

    /**
     * A busybox httpd Deployment of 2 (label {@code app}) answering its pod's name on 8080, behind
     * Service {@code web} ({@code serviceSpec}: the spec's lines besides the selector, indented by
     * two), and a client pod; returns once both endpoints are in the EndpointSlice.
     */
    static void deployWeb(RealNode node, Path dir, String app, String serviceSpec) throws Exception {
        node.apply(dir, "web", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: %1$s}}
                  template:
                    metadata: {labels: {app: %1$s}}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: web
                        image: %2$s
                        command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
                        ports: [{name: http, containerPort: 8080}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  selector: {app: %1$s}
                """.formatted(app, RealNode.IMAGE) + "  " + serviceSpec + "\n");
        node.apply(dir, "client", "apiVersion: v1\nkind: Pod\nmetadata: {name: client}\nspec:\n  terminationGracePeriodSeconds: 1\n"
                + "  containers:\n  - name: main\n    image: " + RealNode.IMAGE + "\n    command: [\"sleep\", \"3600\"]\n");
        Await.until(() -> node.kubectl.must("get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o",
                "jsonpath={.items[*].endpoints[*].addresses[*]}").split(" ").length == 2, () -> node.kubectl.must("get", "pods", "-o",
                        "wide") + node.kubectl.must("get", "endpointslices", "-o", "yaml"), 120);
    }

    @Test
    void swapToUserspaceAndBackUnderLoad() throws Exception {
        deployWeb(node, dir, "swap-web", "clusterIP: " + clusterIp + "\n  ports: [{name: http, port: 80, targetPort: http}]");
        Set<String> replicas = awaitBothReplicas("through iptables");
        double iptablesRate = rate();

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        long loadStart = System.nanoTime();
        Thread load = startLoad(running, ok, failures, loadStart);
        double userspaceRate;
        String toNext;
        int sameFailedCount;
        String toUserspace;
        String toIptables;
        try {
            Thread.sleep(1000);
            double since = seconds(loadStart);
            Distribution.Result swapped = node.distribution.kubundle("bundles", "swap", IPTABLES,
                    jar("kubundle-proxy-userspace-").toString(), "--data-dir", node.data.toString());
            assertEquals(0, swapped.exitCode(), swapped.err() + swapped.out());
            toUserspace = String.format("%.3f-%.3f s: %s", since, seconds(loadStart), swapped.out().strip());
            assertEquals("", ours(), "the iptables proxy's chains are gone");
            assertTrue(Distribution.run(List.of("ip", "-o", "addr", "show", "dev", link)).out().contains(clusterIp + "/32"),
                    "the cluster IP is on the userspace proxy's link");
            Thread.sleep(2000);
            String fromPod = node.kubectl.httpGetFromPod("client", clusterIp, 80);
            assertTrue(replicas.contains(fromPod), "a pod reaches the cluster IP through the userspace proxy: " + fromPod);
            running.set(false);
            load.join();
            assertEquals(replicas, awaitBothReplicas("through the userspace proxy"), "round robin reaches both");
            userspaceRate = rate();

            // side by side for another version of itself: the new one adopts the link, shares the ports, the old one leaves it
            List<String> sameFailures = new CopyOnWriteArrayList<>();
            running.set(true);
            load = startLoad(running, ok, sameFailures, loadStart);
            Thread.sleep(1000);
            Path next = BundleJars.withVersion(jar("kubundle-proxy-userspace-"), "9.0.0", Files.createDirectories(dir.resolve("next")));
            since = seconds(loadStart);
            swapped = node.distribution.kubundle("bundles", "swap", USERSPACE, next.toString(), "--data-dir", node.data.toString());
            assertEquals(0, swapped.exitCode(), swapped.err() + swapped.out());
            toNext = String.format("%.3f-%.3f s: %s", since, seconds(loadStart), swapped.out().strip());
            Thread.sleep(1000);
            running.set(false);
            load.join();
            assertTrue(Distribution.run(List.of("ip", "-o", "addr", "show", "dev", link)).out().contains(clusterIp + "/32"),
                    "the new instance kept the link and the cluster IP");
            assertEquals(replicas, awaitBothReplicas("through the next userspace proxy"));
            sameFailedCount = sameFailures.size();
            sameFailures.forEach(f -> System.out.println("ProxySwapIT:   userspace -> userspace failed at " + f));

            running.set(true);
            load = startLoad(running, ok, failures, loadStart);
            Thread.sleep(1000);
            since = seconds(loadStart);
            swapped = node.distribution.kubundle("bundles", "swap", USERSPACE, jar("kubundle-proxy-iptables-").toString(),
                    "--data-dir", node.data.toString());
            assertEquals(0, swapped.exitCode(), swapped.err() + swapped.out());
            toIptables = String.format("%.3f-%.3f s: %s", since, seconds(loadStart), swapped.out().strip());
            assertTrue(!linkExists(), "the userspace proxy's link is gone");
            Await.until(() -> iptablesSave().contains(":" + prefix + "-SERVICES"), () -> "iptables chains not back", 30);
            Thread.sleep(2000);
        } finally {
            running.set(false);
            load.join();
        }
        assertEquals(replicas, awaitBothReplicas("through iptables again"));
        double iptablesAgain = rate();
        int total = ok.get() + failures.size();
        System.out.printf("ProxySwapIT: %s%nProxySwapIT: %s%nProxySwapIT: %s%n", toUserspace, toNext, toIptables);
        System.out.printf("ProxySwapIT: requests failed during a swap: %d of %d, over three swaps under load (iptables -> userspace"
                + " and userspace -> iptables: %d, userspace -> userspace 9.0.0 side by side: %d), one request every ~5 ms from the"
                + " host%n", failures.size() + sameFailedCount, total + sameFailedCount, failures.size(),
                sameFailedCount);
        failures.forEach(f -> System.out.println("ProxySwapIT:   failed at " + f));
        double iptablesMean = (iptablesRate + iptablesAgain) / 2;
        System.out.printf("ProxySwapIT: requests/s through the ClusterIP, %d sequential HTTP/1.0 GETs from the host (after %d):"
                + " iptables %.0f, userspace %.0f, iptables again %.0f; ratio iptables/userspace %.2f%n", RATE_REQUESTS, WARM_UP,
                iptablesRate, userspaceRate, iptablesAgain, iptablesMean / userspaceRate);
        assertTrue(total > 100, "the load ran: " + total);
        assertTrue(failures.size() <= FAILURES_ALLOWED, "failed requests during the swaps: " + failures);
        assertTrue(sameFailedCount <= FAILURES_ALLOWED, "failed requests during the userspace -> userspace swap: " + sameFailedCount);
    }

    static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    /** Requests from the host, one every ~5 ms, until {@code running} is false: successes counted, failures kept with their time. */
    private static Thread startLoad(AtomicBoolean running, AtomicInteger ok, List<String> failures, long loadStart) {
        return startLoad(ProxySwapIT::get, running, ok, failures, loadStart);
    }

    /** A request that throws when it fails. */
    interface Request {
        String get() throws IOException;
    }

    /** {@code request} from the host, one every ~5 ms, until {@code running} is false: successes counted, failures kept with their time. */
    static Thread startLoad(Request request, AtomicBoolean running, AtomicInteger ok, List<String> failures, long loadStart) {
        Thread load = new Thread(() -> {
            while (running.get()) {
                try {
                    request.get();
                    ok.incrementAndGet();
                } catch (IOException e) {
                    failures.add(String.format("%.3f s: %s", seconds(loadStart), e));
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "swap-load");
        load.start();
        return load;
    }
}
