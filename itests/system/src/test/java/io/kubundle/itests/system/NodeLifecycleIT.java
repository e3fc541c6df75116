package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node lifecycle bundle against {@code up --node-monitor-grace-period 5s} and three simulated
 * nodes: pod CIDRs, taints by hand with {@code kubectl taint} (NoExecute ones evict), and a node
 * that fails (Unknown, NotReady, tainted unreachable, its pods not ready and evicted after their
 * tolerations, with the controller bundle removed and reinstalled meanwhile) and comes back.
 */
class NodeLifecycleIT {
    private static final String BUNDLE = "io.kubundle.controller.nodelifecycle";

    @TempDir
    static Path dir;

    static Distribution distribution;
    static KubundleProcess up;
    static KubundleProcess sim;
    static Kubectl kubectl;
    static Path data;

    @BeforeAll
    static void startUp() throws Exception {
        distribution = Distribution.copyInto(dir);
        Files.writeString(simConfig(), "leaseRenewSeconds = 1\n");
        data = dir.resolve("data");
        up = KubundleProcess.start(distribution, data, "master", "--port", Integer.toString(RolesIT.freePort()),
                "--node-monitor-grace-period", "5s");
        sim = KubundleProcess.start(distribution, dir.resolve("sim"), "sim-nodes", "--kubeconfig", data.resolve("kubeconfig").toString(),
                "--count", "3");
        kubectl = new Kubectl(data.resolve("kubeconfig"), dir.resolve("kube-cache"));
        await(() -> kubectl("get", "nodes", "--no-headers").lines().filter(line -> line.contains(" Ready ")).count() == 3,
                "three Ready nodes");
    }

    @AfterAll
    static void stop() throws Exception {
        if (sim != null) {
            sim.close();
        }
        if (up != null) {
            up.close();
        }
    }

    private static Path simConfig() {
        return distribution.home.resolve("etc/io.kubundle.runtime.sim.cfg");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        SimNodesIT.await(condition, what);
    }

    private static String kubectl(String... args) {
        try {
            return kubectl.ok(args);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String pod(String name, String path) {
        return kubectl("get", "pod", name, "--ignore-not-found", "-o", "jsonpath=" + path);
    }

    private static boolean podExists(String name) {
        return !kubectl("get", "pod", name, "--ignore-not-found", "-o", "name").isBlank();
    }

    private static boolean beingDeleted(String name) {
        return !pod(name, "{.metadata.deletionTimestamp}").isBlank();
    }

    private static long evictions(String name) {
        return kubectl("get", "events", "-o", "jsonpath={range .items[*]}{.involvedObject.name}/{.reason}{\"\\n\"}{end}").lines()
                .filter(line -> line.equals(name + "/TaintManagerEviction")).count();
    }

    private static String podYaml(String name, String node, String tolerations) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s}
                spec:
                  nodeName: %s
                  containers: [{name: c, image: nginx}]
                %s
                ---
                """.formatted(name, node, tolerations.isEmpty() ? "" : "  tolerations: " + tolerations);
    }

    private static String unreachableFor(String seconds) {
        return "[{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute"
                + (seconds == null ? "" : ", tolerationSeconds: " + seconds) + "}]";
    }

    @Test
    void everyNodeGetsItsOwnPodCidr() throws Exception {
        await(() -> kubectl("get", "nodes", "-o", "jsonpath={range .items[*]}{.spec.podCIDR}{\"\\n\"}{end}").lines()
                .filter(line -> !line.isBlank()).count() == 3, "three pod CIDRs");
        Set<String> cidrs = new HashSet<>();
        for (String node : List.of("sim-0", "sim-1", "sim-2")) {
            String cidr = kubectl("get", "node", node, "-o", "jsonpath={.spec.podCIDR}");
            assertTrue(cidr.matches("10\\.244\\.\\d+\\.0/24"), cidr);
            assertEquals(cidr, kubectl("get", "node", node, "-o", "jsonpath={.spec.podCIDRs[0]}"));
            cidrs.add(cidr);
        }
        assertEquals(3, cidrs.size(), "never the same block twice: " + cidrs);
    }

    @Test
    void taintsAddedByHandWorkAndNoExecuteOnesEvict() throws Exception {
        kubectl("taint", "nodes", "sim-0", "key=value:NoSchedule");
        assertEquals("key=value:NoSchedule", kubectl("get", "node", "sim-0", "-o",
                "jsonpath={range .spec.taints[*]}{.key}={.value}:{.effect}{end}"));
        kubectl("taint", "nodes", "sim-0", "key=value:NoSchedule-");
        assertEquals("", kubectl("get", "node", "sim-0", "-o", "jsonpath={.spec.taints}"));

        Path pods = Files.writeString(dir.resolve("hand.yaml"), podYaml("hand-victim", "sim-0", "")
                + podYaml("hand-tolerant", "sim-0", "[{key: evict, operator: Equal, value: now, effect: NoExecute}]"));
        kubectl("apply", "-f", pods.toString());
        await(() -> pod("hand-victim", "{.status.phase}").equals("Running"), "the pod runs");
        kubectl("taint", "nodes", "sim-0", "evict=now:NoExecute");
        try {
            await(() -> !podExists("hand-victim"), "the pod that does not tolerate the taint is evicted (and its node deletes it)");
            assertEquals(1, evictions("hand-victim"));
            assertTrue(podExists("hand-tolerant") && !beingDeleted("hand-tolerant"), "the one that tolerates it stays");
        } finally {
            kubectl("taint", "nodes", "sim-0", "evict=now:NoExecute-");
        }
    }

    @Test
    void aFailedNodeGoesUnknownItsPodsAreEvictedAndItComesBack() throws Exception {
        Path pods = Files.writeString(dir.resolve("failover.yaml"), podYaml("quick", "sim-1", unreachableFor("2"))
                + podYaml("defaulted", "sim-1", "") + podYaml("forever", "sim-1", unreachableFor(null))
                + podYaml("after-swap", "sim-1", unreachableFor("12")));
        kubectl("apply", "-f", pods.toString());
        for (String name : List.of("quick", "defaulted", "forever", "after-swap")) {
            await(() -> pod(name, "{.status.conditions[?(@.type=='Ready')].status}").equals("True"), name + " runs and is ready");
        }
        // admission gave the pod without tolerations Kubernetes' default ones; a pod's own is kept
        assertEquals("node.kubernetes.io/not-ready:NoExecute:300 node.kubernetes.io/unreachable:NoExecute:300",
                pod("defaulted", "{range .spec.tolerations[*]}{.key}:{.effect}:{.tolerationSeconds} {end}").strip());
        assertEquals("node.kubernetes.io/unreachable: node.kubernetes.io/not-ready:300",
                pod("forever", "{range .spec.tolerations[*]}{.key}:{.tolerationSeconds} {end}").strip());

        Files.writeString(simConfig(), "leaseRenewSeconds = 1\nstopped = sim-1\n");
        await(() -> kubectl("get", "node", "sim-1", "--no-headers").contains(" NotReady "), "kubectl shows sim-1 NotReady");
        assertEquals("Unknown/NodeStatusUnknown/Kubelet stopped posting node status.", kubectl("get", "node", "sim-1", "-o",
                "jsonpath={.status.conditions[?(@.type=='Ready')].status}/{.status.conditions[?(@.type=='Ready')].reason}/"
                        + "{.status.conditions[?(@.type=='Ready')].message}"));
        await(() -> kubectl("get", "node", "sim-1", "-o", "jsonpath={range .spec.taints[*]}{.key}:{.effect} {end}").strip()
                .equals("node.kubernetes.io/unreachable:NoExecute node.kubernetes.io/unreachable:NoSchedule"), "the unreachable taints");
        Instant tainted = Instant.parse(kubectl("get", "node", "sim-1", "-o", "jsonpath={.spec.taints[0].timeAdded}"));
        assertTrue(kubectl("get", "node", "sim-0", "--no-headers").contains(" Ready "), "the others stay Ready");

        await(() -> beingDeleted("quick"), "the pod tolerating 2 s is evicted");
        assertTrue(kubectl("get", "pod", "quick", "--no-headers").contains(" Unknown "), "an evicted pod of a lost node shows Unknown");
        await(() -> pod("forever", "{.status.conditions[?(@.type=='Ready')].status}").equals("False"), "its pods are marked not ready");

        // the controller leaves while the node is down; a new instance must catch up, not repeat
        Path jar;
        try (var files = Files.list(distribution.home.resolve("bundles"))) {
            jar = files.filter(p -> p.getFileName().toString().startsWith("kubundle-controller-nodelifecycle-")).findFirst().orElseThrow();
        }
        Distribution.Result removed = distribution.kubundle("bundles", "uninstall", BUNDLE, "--data-dir", data.toString());
        assertEquals(0, removed.exitCode(), removed.err());
        try {
            long wait = tainted.plusSeconds(13).toEpochMilli() - System.currentTimeMillis();
            Thread.sleep(Math.max(0, wait));
            assertFalse(beingDeleted("after-swap"), "without the controller nobody evicts");
        } finally {
            Distribution.Result installed = distribution.kubundle("bundles", "install", jar.toString(), "--data-dir", data.toString());
            assertEquals(0, installed.exitCode(), installed.err());
        }
        await(() -> beingDeleted("after-swap"), "the new instance evicts the pod whose toleration ran out meanwhile");
        Thread.sleep(2_000);
        assertEquals(1, evictions("quick"), "evicted once, not again by the new instance");
        assertEquals(1, evictions("after-swap"));
        assertFalse(beingDeleted("forever"), "a pod tolerating for ever stays");
        assertFalse(beingDeleted("defaulted"), "the default 300 s have not run out");

        Files.writeString(simConfig(), "leaseRenewSeconds = 1\n");
        await(() -> kubectl("get", "node", "sim-1", "--no-headers").contains(" Ready "), "sim-1 Ready again");
        await(() -> kubectl("get", "node", "sim-1", "-o", "jsonpath={.spec.taints}").isBlank(), "its taints removed");
        await(() -> !podExists("quick") && !podExists("after-swap"), "the evicted pods are gone once the node is back");
        assertEquals("sim-1 sim-1", pod("forever", "{.spec.nodeName}") + " " + pod("defaulted", "{.spec.nodeName}"),
                "nothing moved");
    }
}
