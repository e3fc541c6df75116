package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubundle cluster create}: a control plane and two workers, each a process in its own
 * network namespace on a host bridge; the workers join with a bootstrap token and
 * CertificateSigningRequests; the real kubectl reaches pods on the workers through their kubelets
 * across that network; a node stopped and started again; {@code delete} (and {@code create} after
 * a crash) leaves nothing of the cluster on the machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    @TempDir
    static Path dir;

    private Distribution distribution;
    private String name;
    private Path clustersDir;
    private Path image;
    private Kubectl kubectl;
    private final List<String> podUids = new ArrayList<>();

    @BeforeAll
    void create() throws Exception {
        distribution = Distribution.copyInto(dir);
        Path etc = distribution.home.resolve("etc");
        // a stopped node is noticed in seconds, not the default 40
        Files.writeString(etc.resolve("io.kubundle.controller.nodelifecycle.cfg"), "nodeMonitorGracePeriod = 8s\n");
        Files.writeString(etc.resolve("io.kubundle.kubelet.cfg"), "heartbeatSeconds = 2\nresyncSeconds = 2\n");
        name = "itc" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        clustersDir = dir.resolve("clusters");
        image = BusyboxImage.dockerArchive(Files.createDirectories(dir.resolve("image")), RealNode.IMAGE);
        Distribution.Result created = distribution.kubundle(400, "cluster", "create", "--name", name, "--nodes", "2",
                "--clusters-dir", clustersDir.toString(), "--image", image.toString());
        assertEquals(0, created.exitCode(), created.err() + created.out());
        Path kubeconfig = Path.of(created.out().strip());
        assertEquals(clustersDir.resolve(name).resolve("kubeconfig"), kubeconfig);
        kubectl = new Kubectl(kubeconfig, dir.resolve("kube-cache"));
    }

    @AfterAll
    void deleteWhateverIsLeft() throws Exception {
        distribution.kubundle(120, "cluster", "delete", "--name", name, "--clusters-dir", clustersDir.toString());
    }

    @Test
    @Order(1)
    void theNodesJoinedWithCertificatesTheyAskedFor() throws Exception {
        String nodes = kubectl.ok("get", "nodes", "-o",
                "jsonpath={range .items[*]}{.metadata.name} {.status.addresses[?(@.type==\"InternalIP\")].address} "
                        + "{.status.conditions[?(@.type==\"Ready\")].status} {.spec.taints[*].key}{\"\\n\"}{end}");
        List<String> lines = nodes.lines().map(String::strip).sorted().toList();
        assertEquals(3, lines.size(), nodes);
        assertTrue(lines.get(0).matches(name + "-control-plane 172\\.29\\.\\d+\\.10 True node-role.kubernetes.io/master"),
                lines.get(0));
        assertTrue(lines.get(1).matches(name + "-worker 172\\.29\\.\\d+\\.11 True"), lines.get(1));
        assertTrue(lines.get(2).matches(name + "-worker2 172\\.29\\.\\d+\\.12 True"), lines.get(2));
        // pods reach the API server through the kubernetes Service, whose endpoint is the control plane's node
        assertTrue(kubectl.ok("get", "endpoints", "kubernetes", "-o", "jsonpath={.subsets[0].addresses[0].ip}")
                .matches("172\\.29\\.\\d+\\.10"));
        // each worker asked for a client and a serving certificate, approved and issued automatically
        String csrs = kubectl.ok("get", "csr", "--no-headers");
        for (String worker : List.of(name + "-worker", name + "-worker2")) {
            List<String> requests = csrs.lines().filter(l -> l.contains("system:bootstrap:")).filter(l -> l.startsWith("node-csr-"
                    + worker + "-")).toList();
            assertEquals(2, requests.size(), csrs);
            requests.forEach(l -> assertTrue(l.contains("Approved,Issued"), l));
        }
        // the keys stayed on the nodes
        Path workerPki = clustersDir.resolve(name).resolve("worker1").resolve("pki");
        assertTrue(Files.isRegularFile(workerPki.resolve("kubelet-client.key")));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(workerPki.resolve("kubelet-client.key"))));
    }

    @Test
    @Order(2)
    void podsRunOnTheWorkersAndKubectlReachesThemAcrossTheNodesNetwork() throws Exception {
        kubectl.ok("create", "deployment", "web", "--image", RealNode.IMAGE, "--replicas", "2", "--",
                "sh", "-c", "echo serving on $(hostname); exec httpd -f -p 8080 -h /");
        Await.until(() -> kubectl.must("get", "pods", "-l", "app=web", "-o",
                "jsonpath={range .items[*]}{.status.phase}{\"\\n\"}{end}").lines().filter("Running"::equals).count() == 2,
                () -> kubectl.must("describe", "pods", "-l", "app=web"), 120);
        String placed = kubectl.ok("get", "pods", "-l", "app=web", "-o",
                "jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.podIP}{\"\\n\"}{end}");
        podUids.addAll(List.of(kubectl.ok("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].metadata.uid}").split(" ")));
        for (String line : placed.lines().toList()) {
            String[] fields = line.split(" ");
            // the master's taint keeps ordinary pods off it
            assertFalse(fields[1].endsWith("-control-plane"), placed);
            // logs and exec go from the API server to the worker's kubelet over the cluster's bridge
            Await.until(() -> kubectl.must("logs", fields[0]).contains("serving on " + fields[0]),
                    () -> kubectl.must("logs", fields[0]), 30);
            assertEquals(fields[0], kubectl.ok("exec", fields[0], "--", "hostname").strip());
        }
    }

    @Test
    @Order(2)
    void podsOnDifferentNodesReachEachOtherByPodIpAcrossTheOverlay() throws Exception {
        Path manifest = dir.resolve("pods.yaml");
        StringBuilder yaml = new StringBuilder();
        for (String[] pod : List.of(new String[] {"a", name + "-worker"}, new String[] {"b", name + "-worker2"})) {
            yaml.append("apiVersion: v1\nkind: Pod\nmetadata:\n  name: ").append(pod[0]).append("\nspec:\n  nodeName: ")
                    .append(pod[1]).append("\n  containers:\n  - name: web\n    image: ").append(RealNode.IMAGE)
                    .append("\n    command: [\"sh\", \"-c\", \"echo pod ").append(pod[0])
                    .append(" > /index.html && exec httpd -f -p 8080 -h /\"]\n---\n");
        }
        Files.writeString(manifest, yaml.toString());
        kubectl.ok("apply", "-f", manifest.toString());
        Await.until(() -> kubectl.must("get", "pods", "a", "b", "-o", "jsonpath={.items[*].status.phase}").equals("Running Running"),
                () -> kubectl.must("describe", "pods", "a", "b"), 120);
        String ipB = kubectl.ok("get", "pod", "b", "-o", "jsonpath={.status.podIP}").strip();
        String ipA = kubectl.ok("get", "pod", "a", "-o", "jsonpath={.status.podIP}").strip();
        assertFalse(ipA.substring(0, ipA.lastIndexOf('.')).equals(ipB.substring(0, ipB.lastIndexOf('.'))),
                "each node has its own pod CIDR: " + ipA + " " + ipB);
        long before = vxlanTxPackets(name + "-worker");
        Await.until(() -> "pod b".equals(httpGet("a", ipB)), () -> "pod a cannot reach pod b at " + ipB + ": " + httpGet("a", ipB), 60);
        assertEquals("pod a", httpGet("b", ipA));
        assertTrue(vxlanTxPackets(name + "-worker") > before, "the packets went through flannel.1");
        kubectl.ok("delete", "pod", "a", "b", "--wait=true", "--timeout=60s");
    }

    private String httpGet(String fromPod, String ip) {
        try {
            return kubectl.httpGetFromPod(fromPod, ip, 8080);
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e.toString();
        }
    }

    private long vxlanTxPackets(String node) throws IOException, InterruptedException {
        String out = Distribution.run(List.of("ip", "-n", "kbc-" + node, "-s", "-o", "link", "show", "flannel.1")).out();
        // one line: ... RX: bytes packets ... \    N N ... TX: bytes packets ... \    N N ...
        String[] tx = out.substring(out.indexOf("TX:")).split("\\\\")[1].trim().split("\\s+");
        return Long.parseLong(tx[1]);
    }

    @Test
    @Order(3)
    void aServiceSpreadsRequestsOverEveryReplicaByIpDnsNameNodePortAndLoadBalancer() throws Exception {
        kubectl.ok("create", "deployment", "echo", "--image", RealNode.IMAGE, "--replicas", "3", "--",
                "sh", "-c", "hostname > /index.html && exec httpd -f -p 8080 -h /");
        kubectl.ok("expose", "deployment", "echo", "--port", "80", "--target-port", "8080", "--type", "LoadBalancer");
        kubectl.ok("run", "client", "--image", RealNode.IMAGE, "--", "sleep", "3600");
        Await.until(() -> kubectl.must("get", "endpoints", "echo", "-o", "jsonpath={.subsets[*].addresses[*].ip}")
                .split(" ").length == 3, () -> kubectl.must("get", "pods", "-o", "wide"), 120);
        Await.until(() -> kubectl.must("get", "pod", "client", "-o", "jsonpath={.status.phase}").equals("Running"),
                () -> kubectl.must("describe", "pod", "client"), 60);
        Set<String> replicas = Set.of(kubectl.ok("get", "pods", "-l", "app=echo", "-o", "jsonpath={.items[*].metadata.name}")
                .split(" "));
        String clusterIp = kubectl.ok("get", "svc", "echo", "-o", "jsonpath={.spec.clusterIP}");

        // by ClusterIP from a pod: the proxy spreads the requests over every replica, on every node
        Set<String> answered = new java.util.HashSet<>();
        for (int i = 0; i < 40 && !answered.equals(replicas); i++) {
            answered.add(kubectl.httpGetFromPod("client", clusterIp, 80));
        }
        assertEquals(replicas, answered);
        // by DNS name: the node's cluster DNS answers with the ClusterIP, through the pod's resolv.conf
        assertTrue(kubectl.ok("exec", "client", "--", "cat", "/etc/resolv.conf").contains("search default.svc.cluster.local"));
        String lookup = kubectl.ok("exec", "client", "--", "nslookup", "echo.default.svc.cluster.local");
        assertTrue(lookup.contains(clusterIp), lookup);

        // the NodePort answers on every node's address, from outside the cluster
        String nodePort = kubectl.ok("get", "svc", "echo", "-o", "jsonpath={.spec.ports[0].nodePort}");
        for (String nodeIp : kubectl.ok("get", "nodes", "-o",
                "jsonpath={.items[*].status.addresses[?(@.type==\"InternalIP\")].address}").split(" ")) {
            String body = curl(nodeIp + ":" + nodePort);
            assertTrue(replicas.contains(body), nodeIp + ":" + nodePort + " answered " + body);
        }
        // the LoadBalancer's address comes from the cluster's pool and answers
        Await.until(() -> !kubectl.must("get", "svc", "echo", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}").isEmpty(),
                () -> kubectl.must("describe", "svc", "echo"), 30);
        String lbIp = kubectl.ok("get", "svc", "echo", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}");
        assertTrue(lbIp.startsWith("172.30."), lbIp);
        Await.until(() -> replicas.contains(curl(lbIp + ":80")), () -> "the LoadBalancer " + lbIp + ": " + curl(lbIp + ":80"), 30);
        kubectl.ok("delete", "svc", "echo");
        kubectl.ok("delete", "deployment", "echo");
        kubectl.ok("delete", "pod", "client", "--wait=false");
    }

    /** curl from the host, 3 s at most: the body, or what went wrong. */
    private static String curl(String address) {
        try {
            Distribution.Result result = Distribution.run(List.of("curl", "-sS", "-m", "3", "http://" + address + "/"));
            return result.exitCode() == 0 ? result.out().strip() : "curl exit " + result.exitCode() + ": " + result.err().strip();
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e.toString();
        }
    }

    @Test
    @Order(4)
    void aStoppedNodeGoesNotReadyAndComesBack() throws Exception {
        String worker = name + "-worker2";
        Distribution.Result stopped = distribution.kubundle(90, "cluster", "stop-node", "--name", name, "--node", worker,
                "--clusters-dir", clustersDir.toString());
        assertEquals(0, stopped.exitCode(), stopped.err());
        assertTrue(clusterList().contains(worker + "(stopped)"), clusterList());
        Await.until(() -> "Unknown".equals(readyStatus(worker)), () -> kubectl.must("describe", "node", worker), 60);

        Distribution.Result started = distribution.kubundle(90, "cluster", "start-node", "--name", name, "--node", worker,
                "--clusters-dir", clustersDir.toString());
        assertEquals(0, started.exitCode(), started.err());
        Await.until(() -> "True".equals(readyStatus(worker)), () -> kubectl.must("describe", "node", worker), 90);
        assertTrue(clusterList().contains(worker + "(running)"), clusterList());
    }

    @Test
    @Order(5)
    void deleteLeavesNothingOfTheCluster() throws Exception {
        Distribution.Result deleted = distribution.kubundle(120, "cluster", "delete", "--name", name,
                "--clusters-dir", clustersDir.toString());
        assertEquals(0, deleted.exitCode(), deleted.err());
        assertEquals(List.of(), leftovers(name));
        assertFalse(clusterList().contains(name), clusterList());
        // the pods' network namespaces outlive their node's process, but not the cluster
        for (String uid : podUids) {
            assertFalse(Files.exists(Path.of("/run/netns/kubundle-" + uid)), uid);
        }
    }

    @Test
    @Order(6)
    void createAfterACrashCleansUpFirst() throws Exception {
        String crashed = name + "b";
        Distribution.Result created = distribution.kubundle(300, "cluster", "create", "--name", crashed, "--nodes", "0",
                "--clusters-dir", clustersDir.toString());
        assertEquals(0, created.exitCode(), created.err());
        // a crash: every process of the cluster dies, everything else stays behind
        for (String pid : Distribution.run(List.of("ip", "netns", "pids", "kbc-" + crashed + "-control-plane")).out().split("\\s+")) {
            if (!pid.isBlank()) {
                Distribution.run(List.of("kill", "-9", pid.strip()));
            }
        }
        Await.until(() -> clusterList().contains(crashed + "-control-plane(stopped)"), this::clusterList, 30);

        Distribution.Result again = distribution.kubundle(300, "cluster", "create", "--name", crashed, "--nodes", "0",
                "--clusters-dir", clustersDir.toString());
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.err().contains("cleaning up what a previous cluster " + crashed + " left"), again.err());
        assertEquals(0, distribution.kubundle(120, "cluster", "delete", "--name", crashed, "--clusters-dir",
                clustersDir.toString()).exitCode());
        assertEquals(List.of(), leftovers(crashed));
    }

    private String readyStatus(String node) {
        return kubectl.must("get", "node", node, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}");
    }

    private String clusterList() {
        try {
            return distribution.kubundle("cluster", "list", "--clusters-dir", clustersDir.toString()).out();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** What a cluster could have left on the machine: namespaces, links, rules, cgroups, mounts, processes, files. */
    private List<String> leftovers(String cluster) throws IOException, InterruptedException {
        List<String> found = new ArrayList<>();
        Distribution.run(List.of("ip", "netns", "list")).out().lines().filter(l -> l.startsWith("kbc-" + cluster + "-"))
                .forEach(l -> found.add("netns " + l));
        String hash = HexFormat.of().formatHex(sha256(cluster), 0, 3);
        Distribution.run(List.of("ip", "-o", "link", "show")).out().lines().filter(l -> l.contains(" kbc-" + hash + ":")
                || l.contains(" kbc" + hash + "n")).forEach(l -> found.add("link " + l));
        for (String table : List.of("nat", "filter")) {
            Distribution.run(List.of("iptables-save", "-t", table)).out().lines()
                    .filter(l -> l.contains("kubundle cluster " + cluster + "\"") || l.contains("kubundle cluster " + cluster + " "))
                    .forEach(l -> found.add("rule " + l));
        }
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                try (Stream<Path> children = Files.isDirectory(hierarchy) ? Files.list(hierarchy) : Stream.empty()) {
                    children.filter(c -> c.getFileName().toString().startsWith("kbc-" + cluster + "-"))
                            .forEach(c -> found.add("cgroup " + c));
                }
            }
        }
        Path clusterDir = clustersDir.resolve(cluster);
        Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(clusterDir.toString()))
                .forEach(l -> found.add("mount " + l));
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(clusterDir.toString()))
                .forEach(p -> found.add("process " + p.pid() + " " + p.info().commandLine().orElse("")));
        if (Files.exists(clusterDir)) {
            found.add("directory " + clusterDir);
        }
        if (Files.exists(clustersDir.resolve(cluster + ".json"))) {
            found.add("registration " + cluster);
        }
        return found;
    }

    private static byte[] sha256(String text) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
