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
        runPodsServingTheirNames(List.of(List.of("a", name + "-worker"), List.of("b", name + "-worker2")));
        String ipB = kubectl.ok("get", "pod", "b", "-o", "jsonpath={.status.podIP}").strip();
        String ipA = kubectl.ok("get", "pod", "a", "-o", "jsonpath={.status.podIP}").strip();
        assertFalse(ipA.substring(0, ipA.lastIndexOf('.')).equals(ipB.substring(0, ipB.lastIndexOf('.'))),
                "each node has its own pod CIDR: " + ipA + " " + ipB);
        long before = vxlanTxPackets(name + "-worker");
        Await.until(() -> "pod b".equals(httpGet("a", ipB)), () -> "pod a cannot reach pod b at " + ipB + ": " + httpGet("a", ipB), 60);
        assertEquals("pod a", httpGet("b", ipA));
        // ICMP too: pods have CAP_NET_RAW, as with containerd
        String ping = kubectl.ok("exec", "a", "--", "ping", "-c", "2", "-W", "2", ipB);
        assertTrue(ping.contains("2 packets received"), ping);
        assertTrue(vxlanTxPackets(name + "-worker") > before, "the packets went through flannel.1");
        kubectl.ok("delete", "pod", "a", "b", "--wait=true", "--timeout=60s");
    }

    /** Pods (name, node) running busybox httpd on 8080 that answer "pod NAME"; returns once all run. */
    private void runPodsServingTheirNames(List<List<String>> pods) throws Exception {
        StringBuilder yaml = new StringBuilder();
        for (List<String> pod : pods) {
            yaml.append("apiVersion: v1\nkind: Pod\nmetadata:\n  name: ").append(pod.get(0)).append("\nspec:\n  nodeName: ")
                    .append(pod.get(1)).append("\n  containers:\n  - name: web\n    image: ").append(RealNode.IMAGE)
                    .append("\n    command: [\"sh\", \"-c\", \"echo pod ").append(pod.get(0))
                    .append(" > /index.html && exec httpd -f -p 8080 -h /\"]\n---\n");
        }
        Path manifest = dir.resolve("pods-" + pods.get(0).get(0) + ".yaml");
        Files.writeString(manifest, yaml.toString());
        kubectl.ok("apply", "-f", manifest.toString());
        for (List<String> pod : pods) {
            Await.until(() -> kubectl.must("get", "pod", pod.get(0), "-o", "jsonpath={.status.phase}").equals("Running"),
                    () -> kubectl.must("describe", "pod", pod.get(0)), 120);
        }
    }

    private String podIp(String pod) {
        return kubectl.must("get", "pod", pod, "-o", "jsonpath={.status.podIP}").strip();
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
        kubectl.ok("run", "client", "--image", RealNode.IMAGE, "--overrides",
                "{\"apiVersion\": \"v1\", \"spec\": {\"hostAliases\": [{\"ip\": \"10.1.2.3\", \"hostnames\": [\"foo.local\", \"bar.local\"]}]}}",
                "--", "sleep", "3600");
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
        // the kubelet's managed hosts file: the pod's own address and name, then its hostAliases
        String hosts = kubectl.ok("exec", "client", "--", "cat", "/etc/hosts");
        assertTrue(hosts.contains("\n" + podIp("client") + "\tclient\n") && hosts.endsWith("10.1.2.3\tfoo.local\tbar.local\n"), hosts);
        String lookup = kubectl.ok("exec", "client", "--", "nslookup", "echo.default.svc.cluster.local");
        assertTrue(lookup.contains(clusterIp), lookup);
        // short names, as users write them, through the resolver's search list
        for (String shortName : List.of("echo", "echo.default")) {
            String body = kubectl.httpGetFromPod("client", shortName, 80);
            assertTrue(replicas.contains(body), shortName + " answered " + body);
        }

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

    /** A Deployment serving its version and pod name, ready while /www/ready exists; pods leave the endpoints before they stop. */
    private String rollManifest(String version, boolean becomesReady) {
        String script = "mkdir -p /www && echo " + version + " $(hostname) > /www/index.html && "
                + (becomesReady ? "touch /www/ready && " : "") + "exec httpd -f -p 8080 -h /www";
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: roll}
                spec:
                  replicas: 3
                  selector: {matchLabels: {app: roll}}
                  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
                  template:
                    metadata: {labels: {app: roll}}
                    spec:
                      terminationGracePeriodSeconds: 5
                      tolerations:
                      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
                      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
                      containers:
                      - name: web
                        image: %s
                        command: ["sh", "-c", "%s"]
                        readinessProbe:
                          httpGet: {path: /ready, port: 8080}
                          periodSeconds: 1
                          failureThreshold: 1
                        lifecycle:
                          preStop:
                            exec: {command: ["sleep", "2"]}
                """.formatted(RealNode.IMAGE, script);
    }

    private void applyRoll(String version, boolean becomesReady) throws Exception {
        Path file = dir.resolve("roll-" + version + ".yaml");
        Files.writeString(file, rollManifest(version, becomesReady));
        kubectl.ok("apply", "-f", file.toString());
    }

    /** Requests to an address from the host, all the time, counting the answers by what they say. */
    private static final class LoadLoop implements AutoCloseable {
        final java.util.concurrent.ConcurrentHashMap<String, Integer> answers = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        final List<String> failed = java.util.Collections.synchronizedList(new ArrayList<>());
        private volatile boolean running = true;
        private final Thread thread;

        LoadLoop(String address) {
            thread = new Thread(() -> {
                while (running) {
                    String body = curl(address);
                    if (body.matches("v\\d+ \\S+")) {
                        answers.merge(body.split(" ")[0], 1, Integer::sum);
                    } else {
                        failures.incrementAndGet();
                        failed.add(java.time.Instant.now() + " " + body);
                    }
                }
            }, "load-loop");
            thread.start();
        }

        int total() {
            return failures.get() + answers.values().stream().mapToInt(Integer::intValue).sum();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }

    @Test
    @Order(4)
    void readinessGatesTrafficAndRollingUpdatesLoseNoRequest() throws Exception {
        applyRoll("v1", true);
        kubectl.ok("expose", "deployment", "roll", "--port", "80", "--target-port", "8080", "--type", "LoadBalancer");
        Await.until(() -> kubectl.must("get", "endpoints", "roll", "-o", "jsonpath={.subsets[*].addresses[*].ip}")
                .split(" ").length == 3, () -> kubectl.must("get", "pods", "-o", "wide"), 120);
        Await.until(() -> !kubectl.must("get", "svc", "roll", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}").isEmpty(),
                () -> kubectl.must("describe", "svc", "roll"), 30);
        String address = kubectl.ok("get", "svc", "roll", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}") + ":80";
        Await.until(() -> curl(address).startsWith("v1 "), () -> curl(address), 30);

        // a replica failing readiness leaves the endpoints and gets no more traffic, then comes back
        String unready = kubectl.ok("get", "pods", "-l", "app=roll", "-o", "jsonpath={.items[0].metadata.name}");
        kubectl.ok("exec", unready, "--", "rm", "/www/ready");
        Await.until(() -> kubectl.must("get", "endpoints", "roll", "-o", "jsonpath={.subsets[*].notReadyAddresses[*].targetRef.name}")
                .equals(unready), () -> kubectl.must("get", "endpoints", "roll", "-o", "yaml"), 30);
        Thread.sleep(1000);
        for (int i = 0; i < 20; i++) {
            String body = curl(address);
            assertTrue(body.startsWith("v1 ") && !body.endsWith(" " + unready), body);
        }
        kubectl.ok("exec", unready, "--", "touch", "/www/ready");
        Await.until(() -> kubectl.must("get", "endpoints", "roll", "-o", "jsonpath={.subsets[*].addresses[*].ip}")
                .split(" ").length == 3, () -> kubectl.must("get", "endpoints", "roll", "-o", "yaml"), 30);

        try (LoadLoop load = new LoadLoop(address)) {
            // a version that never becomes ready replaces nothing: the old pods keep serving
            applyRoll("v2", false);
            Await.until(() -> kubectl.must("get", "pods", "-l", "app=roll", "--no-headers").lines().count() == 4,
                    () -> kubectl.must("get", "pods", "-o", "wide"), 60);
            Thread.sleep(8000);
            assertEquals("3", kubectl.ok("get", "deployment", "roll", "-o", "jsonpath={.status.readyReplicas}"));
            assertEquals(null, load.answers.get("v2"));
            // a good version replaces them all, with the load loop running throughout
            applyRoll("v3", true);
            Await.until(() -> kubectl.must("rollout", "status", "deployment/roll", "--timeout=5s").contains("successfully"),
                    () -> kubectl.must("get", "pods", "-o", "wide"), 180);
            Await.until(() -> load.answers.getOrDefault("v3", 0) > 20, () -> load.answers.toString(), 30);
            load.close();
            System.out.println("rolling update under load: " + load.total() + " requests, " + load.failures.get() + " failed, "
                    + load.answers);
            assertEquals(0, load.failures.get(), "failed requests during the rollout: " + load.failed);
        }
    }

    @Test
    @Order(5)
    void theServiceProxySwappedOnEveryNodeUnderLoadKeepsServing() throws Exception {
        String address = kubectl.ok("get", "svc", "roll", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}") + ":80";
        String clusterIp = kubectl.ok("get", "svc", "roll", "-o", "jsonpath={.spec.clusterIP}");
        // the rollout's old pods are gone: a pod that stays
        Await.until(() -> kubectl.must("get", "pods", "-l", "app=roll", "--no-headers").lines().count() == 3,
                () -> kubectl.must("get", "pods", "-o", "wide"), 60);
        String rollPod = kubectl.ok("get", "pods", "-l", "app=roll", "-o", "jsonpath={.items[0].metadata.name}");
        Path userspace = bundleJar("kubundle-proxy-userspace-");
        Path iptables = bundleJar("kubundle-proxy-iptables-");
        List<String> nodes = List.of(name + "-control-plane", name + "-worker", name + "-worker2");
        try (LoadLoop load = new LoadLoop(address)) {
            Await.until(() -> load.total() > 5, () -> "the load loop: " + load.failed, 30);
            for (String node : nodes) {
                Distribution.Result swapped = nodeBundles(node, nodeDir(node), "swap", "io.kubundle.proxy.iptables", userspace.toString());
                assertEquals(0, swapped.exitCode(), node + ": " + swapped.err() + swapped.out());
                assertFalse(inNode(node, "iptables-save", "-t", "nat").contains(":KUBE-SERVICES"), node + ": the iptables proxy's chains are gone");
            }
            // every node's proxy is the userspace one now: pods reach the ClusterIP through it
            int before = load.total();
            String fromPod = kubectl.httpGetFromPod(rollPod, clusterIp, 80);
            assertTrue(fromPod.startsWith("v3 "), "a pod to the ClusterIP through the userspace proxy: " + fromPod);
            Await.until(() -> load.total() > before + 20, () -> "the load loop through the userspace proxy: " + load.failed, 30);
            for (String node : nodes) {
                Distribution.Result swapped = nodeBundles(node, nodeDir(node), "swap", "io.kubundle.proxy.userspace", iptables.toString());
                assertEquals(0, swapped.exitCode(), node + ": " + swapped.err() + swapped.out());
            }
            int back = load.total();
            Await.until(() -> load.total() > back + 20, () -> "the load loop through iptables again: " + load.failed, 30);
            load.close();
            System.out.println("service proxies swapped on 3 nodes under load: " + load.total() + " requests, " + load.failures.get()
                    + " failed " + load.failed);
            // the goal is none; ProxySwapIT's bound
            assertTrue(load.failures.get() <= 3, "failed requests during the swaps: " + load.failed);
        }
        for (String node : nodes) {
            assertTrue(inNode(node, "iptables-save", "-t", "nat").contains(":KUBE-SERVICES"), node + ": the iptables proxy is back");
            assertTrue(inNode(node, "ip", "-o", "link", "show").lines().noneMatch(l -> l.contains(" kubundle-svc:")),
                    node + ": the userspace proxy's link is gone");
        }
        assertTrue(kubectl.httpGetFromPod(rollPod, clusterIp, 80).startsWith("v3 "));
    }

    private Path bundleJar(String prefix) throws IOException {
        try (Stream<Path> jars = Files.list(distribution.home.resolve("bundles"))) {
            return jars.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
    }

    /** A node's data directory: control-plane, worker1, worker2. */
    private Path nodeDir(String node) {
        String suffix = node.substring(name.length() + 1);
        return clustersDir.resolve(name).resolve(suffix.equals("worker") ? "worker1" : suffix);
    }

    /** A command run in a node's network namespace: what it printed. */
    private static String inNode(String node, String... command) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("nsenter", "--net=/run/netns/kbc-" + node));
        all.addAll(List.of(command));
        return Distribution.run(all).out();
    }

    @Test
    @Order(6)
    void aDaemonSetRunsOnePodOnEveryNode() throws Exception {
        Path file = dir.resolve("ds.yaml");
        Files.writeString(file, """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent}
                spec:
                  selector: {matchLabels: {app: agent}}
                  template:
                    metadata: {labels: {app: agent}}
                    spec:
                      tolerations:
                      - {key: node-role.kubernetes.io/master, operator: Exists, effect: NoSchedule}
                      containers:
                      - {name: agent, image: %s, command: ["sleep", "3600"]}
                """.formatted(RealNode.IMAGE));
        kubectl.ok("apply", "-f", file.toString());
        Await.until(() -> kubectl.must("get", "pods", "-l", "app=agent", "-o", "jsonpath={range .items[*]}{.status.phase}"
                + "{\"\\n\"}{end}").lines().filter("Running"::equals).count() == 3,
                () -> kubectl.must("get", "pods", "-l", "app=agent", "-o", "wide"), 120);
        List<String> nodes = List.of(kubectl.ok("get", "pods", "-l", "app=agent", "-o", "jsonpath={.items[*].spec.nodeName}")
                .split(" ")).stream().sorted().toList();
        assertEquals(List.of(name + "-control-plane", name + "-worker", name + "-worker2"), nodes);
        kubectl.ok("delete", "daemonset", "agent");
    }

    @Test
    @Order(7)
    void aStoppedNodesPodsAreReplacedAndTheServiceKeepsServing() throws Exception {
        String worker = name + "-worker2";
        String address = kubectl.ok("get", "svc", "roll", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}") + ":80";
        List<String> onWorker = kubectl.ok("get", "pods", "-l", "app=roll", "--field-selector", "spec.nodeName=" + worker,
                "-o", "jsonpath={.items[*].metadata.name}").lines().flatMap(l -> java.util.Arrays.stream(l.split(" ")))
                .filter(n -> !n.isBlank()).toList();
        Distribution.Result stopped = distribution.kubundle(90, "cluster", "stop-node", "--name", name, "--node", worker,
                "--clusters-dir", clustersDir.toString());
        assertEquals(0, stopped.exitCode(), stopped.err());
        assertTrue(clusterList().contains(worker + "(stopped)"), clusterList());
        Await.until(() -> "Unknown".equals(readyStatus(worker)), () -> kubectl.must("describe", "node", worker), 60);
        // its pods are evicted and replaced on the other worker; the Service answers from the new ones
        Await.until(() -> kubectl.must("get", "pods", "-l", "app=roll", "--field-selector", "status.phase=Running", "-o",
                "jsonpath={.items[*].spec.nodeName}").replace(name + "-worker2", "").split(name + "-worker", -1).length - 1 == 3
                && kubectl.must("get", "deployment", "roll", "-o", "jsonpath={.status.readyReplicas}").equals("3"),
                () -> kubectl.must("get", "pods", "-o", "wide"), 120);
        Thread.sleep(2000);
        for (int i = 0; i < 10; i++) {
            assertTrue(curl(address).startsWith("v3 "), curl(address));
        }

        Distribution.Result started = distribution.kubundle(90, "cluster", "start-node", "--name", name, "--node", worker,
                "--clusters-dir", clustersDir.toString());
        assertEquals(0, started.exitCode(), started.err());
        Await.until(() -> "True".equals(readyStatus(worker)), () -> kubectl.must("describe", "node", worker), 90);
        assertTrue(clusterList().contains(worker + "(running)"), clusterList());
        // the pods it had (Terminating while it was away) are removed once it is back, and not restarted
        Await.until(() -> onWorker.stream().noneMatch(kubectl.must("get", "pods", "-o", "jsonpath={.items[*].metadata.name}")::contains),
                () -> kubectl.must("get", "pods", "-o", "wide"), 60);
        kubectl.ok("delete", "svc", "roll");
        kubectl.ok("delete", "deployment", "roll");
    }

    @Test
    @Order(8)
    void theNetworkPluginSwappedOnANodeKeepsOldPodsConnectedAndWiresNewPodsWithIt() throws Exception {
        String worker = name + "-worker";
        Path nodeDir = clustersDir.resolve(name).resolve("worker1");
        runPodsServingTheirNames(List.of(List.of("old", worker), List.of("peer", name + "-worker2")));
        String oldIp = podIp("old");
        String peerIp = podIp("peer");

        // the admin installs net-cni on the worker with Debian's CNI plugins on the node's bridge and
        // the top of its pod CIDR (net-bridge keeps the bottom), then points the kubelet at it
        String cidr = kubectl.ok("get", "node", worker, "-o", "jsonpath={.spec.podCIDR}");
        assertTrue(cidr.endsWith(".0/24"), cidr);
        String prefix = cidr.substring(0, cidr.length() - "0/24".length());
        Path confDir = Files.createDirectories(nodeDir.resolve("cni/net.d"));
        Path ipam = nodeDir.resolve("cni/ipam");
        Files.writeString(confDir.resolve("10-swap.conflist"), """
                {"cniVersion": "1.0.0", "name": "swap",
                 "plugins": [
                  {"type": "bridge", "bridge": "kubundle0", "isGateway": true, "ipMasq": false, "hairpinMode": true, "mtu": 1450,
                   "ipam": {"type": "host-local", "dataDir": "%s",
                            "ranges": [[{"subnet": "{{podCIDR}}", "rangeStart": "%s200", "rangeEnd": "%s250"}]],
                            "routes": [{"dst": "0.0.0.0/0"}]}},
                  {"type": "loopback"}]}
                """.formatted(ipam, prefix, prefix));
        Path etc = nodeDir.resolve("etc");
        Files.writeString(etc.resolve("io.kubundle.net.cni.cfg"), "confDir = " + confDir + "\nbinDirs = /usr/lib/cni\n");
        Path jar = bundleJar("kubundle-net-cni-");
        Distribution.Result installed = nodeBundles(worker, nodeDir, "install", jar.toString());
        assertEquals(0, installed.exitCode(), installed.err());
        Path kubeletCfg = etc.resolve("io.kubundle.kubelet.cfg");
        String kubeletSettings = Files.readString(kubeletCfg);
        assertEquals("bridge", podNetworkOf(worker));
        Files.writeString(kubeletCfg, kubeletSettings + "network = cni\n");
        // the kubelet restarts with the new setting (it adopts its pods) and says so on its Node
        Await.until(() -> "cni".equals(podNetworkOf(worker)), () -> kubectl.must("get", "node", worker, "-o", "yaml"), 60);

        // a new pod gets the CNI network; the old one keeps the bridge plugin's address
        runPodsServingTheirNames(List.of(List.of("new", worker)));
        String newIp = podIp("new");
        assertTrue(newIp.startsWith(prefix) && Integer.parseInt(newIp.substring(prefix.length())) >= 200, newIp);
        assertTrue(Files.exists(ipam.resolve("swap").resolve(newIp)), "host-local gave " + newIp);
        assertEquals(oldIp, podIp("old"));
        // every pair talks: on the node's bridge, and across the overlay both ways
        Await.until(() -> "pod new".equals(httpGet("old", newIp)), () -> "old to new: " + httpGet("old", newIp), 30);
        assertEquals("pod old", httpGet("new", oldIp));
        assertEquals("pod peer", httpGet("new", peerIp));
        assertEquals("pod new", httpGet("peer", newIp));
        assertEquals("pod old", httpGet("peer", oldIp));
        String ping = kubectl.ok("exec", "new", "--", "ping", "-c", "1", "-W", "2", peerIp);
        assertTrue(ping.contains("1 packets received"), ping);

        // and back: the CNI pod is deleted through net-cni (its address released), net-cni removed,
        // new pods get the bridge plugin again, and the old pod never lost its network
        Files.writeString(kubeletCfg, kubeletSettings);
        Await.until(() -> "bridge".equals(podNetworkOf(worker)), () -> kubectl.must("get", "node", worker, "-o", "yaml"), 60);
        kubectl.ok("delete", "pod", "new", "--wait=true", "--timeout=60s");
        assertFalse(Files.exists(ipam.resolve("swap").resolve(newIp)), "host-local released " + newIp);
        try (Stream<Path> cached = Files.list(nodeDir.resolve("network/cni/results"))) {
            assertEquals(List.of(), cached.toList());
        }
        Distribution.Result uninstalled = nodeBundles(worker, nodeDir, "uninstall", "io.kubundle.net.cni");
        assertEquals(0, uninstalled.exitCode(), uninstalled.err());
        assertFalse(nodeBundles(worker, nodeDir, "list").out().contains("io.kubundle.net.cni"));
        runPodsServingTheirNames(List.of(List.of("back", worker)));
        String backIp = podIp("back");
        assertTrue(backIp.startsWith(prefix) && Integer.parseInt(backIp.substring(prefix.length())) < 200, backIp);
        Await.until(() -> "pod old".equals(httpGet("back", oldIp)), () -> "back to old: " + httpGet("back", oldIp), 30);
        assertEquals("pod old", httpGet("peer", oldIp));
        kubectl.ok("delete", "pod", "old", "peer", "back", "--wait=true", "--timeout=60s");
    }

    private String podNetworkOf(String node) {
        return kubectl.must("get", "node", node, "-o", "jsonpath={.metadata.annotations.kubundle\\.io/pod-network}");
    }

    /** {@code kubundle bundles ...} against a node's process, whose admin endpoint is on the node's loopback. */
    private Distribution.Result nodeBundles(String node, Path nodeDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=/run/netns/kbc-" + node,
                distribution.home.resolve("bin/kubundle").toString(), "bundles"));
        command.addAll(List.of(args));
        command.addAll(List.of("--data-dir", nodeDir.toString()));
        return Distribution.run(command);
    }

    @Test
    @Order(9)
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
    @Order(10)
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
