package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ListOptions;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceKind;

/**
 * The scheduler in {@code up} with three simulated nodes, driven with the real kubectl: pods get
 * bound and run; nodeSelector, taints and resources are respected, with kube-scheduler's
 * FailedScheduling messages in {@code kubectl describe}; the sample plugin changes placement while
 * installed; and the scheduler's bundle removed and installed again while pods are pending loses
 * and duplicates nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulerIT {
    private static final ResourceKind<ObjectNode> PODS = ResourceKind.of("v1", "Pod", "pods", true, ObjectNode.class);
    private static final ResourceKind<ObjectNode> EVENTS = ResourceKind.of("v1", "Event", "events", true, ObjectNode.class);
    private static final ResourceKind<ObjectNode> NAMESPACES = ResourceKind.of("v1", "Namespace", "namespaces", false, ObjectNode.class);

    @TempDir
    static Path dir;

    static Distribution distribution;
    static KubundleProcess up;
    static KubundleProcess sim;
    static Kubectl kubectl;
    static KubeClient client;
    static Path data;

    @BeforeAll
    static void startUp() throws Exception {
        distribution = Distribution.copyInto(dir);
        Files.writeString(distribution.home.resolve("etc/io.kubundle.runtime.sim.cfg"), "leaseRenewSeconds = 1\n");
        data = dir.resolve("data");
        up = KubundleProcess.start(distribution, data, "master", "--port", Integer.toString(RolesIT.freePort()));
        sim = KubundleProcess.start(distribution, dir.resolve("sim"), "sim-nodes", "--kubeconfig", data.resolve("kubeconfig").toString(),
                "--count", "3");
        kubectl = new Kubectl(data.resolve("kubeconfig"), dir.resolve("kube-cache"));
        client = KubeClient.fromKubeconfig(data.resolve("kubeconfig"));
        await(() -> kubectl("get", "nodes", "--no-headers").lines().filter(line -> line.contains(" Ready ")).count() == 3,
                "three Ready nodes", 60);
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

    @AfterEach
    void removePods() {
        kubectl("delete", "pods", "--all", "--wait=true", "--timeout=60s");
    }

    private static void await(BooleanSupplier condition, String what, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what + "; the scheduler said:\n" + String.join("\n",
                        up.output().stream().filter(line -> line.contains("cheduler") || line.contains("SEVERE") || line.contains("Exception"))
                                .toList()));
            }
            Thread.sleep(200);
        }
    }

    private static String kubectl(String... args) {
        try {
            return kubectl.ok(args);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void apply(String name, String yaml) throws Exception {
        kubectl("apply", "-f", Files.writeString(dir.resolve(name + ".yaml"), yaml).toString());
    }

    private static String nodeOf(String pod) {
        return kubectl("get", "pod", pod, "-o", "jsonpath={.spec.nodeName}");
    }

    private static String pod(String name, String extraSpec) {
        return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n" + extraSpec
                + "  containers: [{name: c, image: nginx}]\n";
    }

    private static String podWithCpu(String name, String cpu) {
        return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n"
                + "  containers: [{name: c, image: nginx, resources: {requests: {cpu: \"" + cpu + "\"}}}]\n";
    }

    private static void awaitFailedScheduling(String pod, String message) throws InterruptedException {
        await(() -> kubectl("describe", "pod", pod).contains(message), "describe " + pod + " shows: " + message, 30);
    }

    @Test
    @Order(1)
    void aPodWithoutANodeIsBoundAndRuns() throws Exception {
        apply("plain", pod("plain", ""));
        await(() -> kubectl("get", "pod", "plain", "-o", "jsonpath={.status.phase}").equals("Running"), "the pod runs", 30);
        String node = nodeOf("plain");
        assertTrue(node.startsWith("sim-"), node);
        String describe = kubectl("describe", "pod", "plain");
        assertTrue(describe.contains("Successfully assigned default/plain to " + node), describe);
        assertTrue(describe.contains("default-scheduler"), describe);
        assertEquals("True", kubectl("get", "pod", "plain", "-o", "jsonpath={.status.conditions[?(@.type=='PodScheduled')].status}"));
    }

    @Test
    @Order(2)
    void nodeSelectorFollowsTheNodesLabels() throws Exception {
        kubectl("label", "node", "sim-1", "disktype=ssd");
        try {
            apply("ssd-1", pod("ssd-1", "  nodeSelector: {disktype: ssd}\n"));
            await(() -> nodeOf("ssd-1").equals("sim-1"), "the pod lands on the labelled node", 30);
        } finally {
            kubectl("label", "node", "sim-1", "disktype-");
        }
        apply("ssd-2", pod("ssd-2", "  nodeSelector: {disktype: ssd}\n"));
        awaitFailedScheduling("ssd-2", "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. "
                + "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..");
        assertEquals("", nodeOf("ssd-2"), "Pending");
        assertEquals("Pending", kubectl("get", "pod", "ssd-2", "-o", "jsonpath={.status.phase}"));
        assertEquals("False/Unschedulable", kubectl("get", "pod", "ssd-2", "-o",
                "jsonpath={.status.conditions[?(@.type=='PodScheduled')].status}/{.status.conditions[?(@.type=='PodScheduled')].reason}"));
        assertTrue(kubectl("describe", "pod", "ssd-2").contains("FailedScheduling"));

        // a node labelled again is a change in the cluster: the waiting pod is tried again at once
        kubectl("label", "node", "sim-2", "disktype=ssd");
        try {
            await(() -> nodeOf("ssd-2").equals("sim-2"), "the pending pod is scheduled once a node matches", 30);
        } finally {
            kubectl("label", "node", "sim-2", "disktype-");
        }
    }

    @Test
    @Order(3)
    void noScheduleTaintsAreRespected() throws Exception {
        kubectl("taint", "nodes", "sim-0", "sim-1", "dedicated=gpu:NoSchedule");
        try {
            StringBuilder yaml = new StringBuilder();
            for (int i = 0; i < 4; i++) {
                yaml.append(pod("tainted-" + i, "")).append("---\n");
            }
            yaml.append(pod("tolerant", "  nodeSelector: {kubernetes.io/hostname: sim-0}\n"
                    + "  tolerations: [{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}]\n"));
            apply("tainted", yaml.toString());
            for (int i = 0; i < 4; i++) {
                String name = "tainted-" + i;
                await(() -> !nodeOf(name).isEmpty(), name + " is bound", 30);
                assertEquals("sim-2", nodeOf(name), "only the untainted node takes pods");
            }
            await(() -> nodeOf("tolerant").equals("sim-0"), "a pod tolerating the taint may go there", 30);

            kubectl("taint", "nodes", "sim-2", "node-role.kubernetes.io/control-plane:NoSchedule");
            apply("nowhere", pod("nowhere", ""));
            awaitFailedScheduling("nowhere", "0/3 nodes are available: 1 node(s) had untolerated taint "
                    + "{node-role.kubernetes.io/control-plane: }, 2 node(s) had untolerated taint {dedicated: gpu}.");
        } finally {
            kubectl("taint", "nodes", "sim-0", "sim-1", "dedicated-");
            kubectl("taint", "nodes", "sim-2", "node-role.kubernetes.io/control-plane-");
        }
        await(() -> !nodeOf("nowhere").isEmpty(), "untainted nodes take the pending pod", 30);
    }

    @Test
    @Order(4)
    void insufficientCpuIsExplained() throws Exception {
        apply("hungry", podWithCpu("hungry", "33"));
        awaitFailedScheduling("hungry", "0/3 nodes are available: 3 Insufficient cpu. "
                + "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..");
        // what is requested counts, including pods just placed: 2 x 20 CPUs do not fit one 32-CPU node
        apply("big-a", podWithCpu("big-a", "20"));
        apply("big-b", podWithCpu("big-b", "20"));
        await(() -> !nodeOf("big-a").isEmpty() && !nodeOf("big-b").isEmpty(), "both big pods are bound", 30);
        assertNotEquals(nodeOf("big-a"), nodeOf("big-b"));
    }

    @Test
    @Order(5)
    void theSamplePluginChangesPlacementWhileInstalled() throws Exception {
        Path jar;
        try (var files = Files.list(distribution.home.resolve("bundles"))) {
            jar = files.filter(p -> p.getFileName().toString().startsWith("kubundle-scheduler-prefer-label-")).findFirst().orElseThrow();
        }
        kubectl("label", "node", "sim-2", "kubundle.io/preferred=true");
        try {
            Distribution.Result installed = distribution.kubundle("bundles", "install", jar.toString(), "--data-dir", data.toString());
            assertEquals(0, installed.exitCode(), installed.err());
            await(() -> {
                try {
                    return distribution.kubundle("bundles", "list", "--data-dir", data.toString()).out().lines()
                            .anyMatch(line -> line.contains("io.kubundle.scheduler.preferlabel") && line.contains("SchedulerPlugin"));
                } catch (Exception e) {
                    return false;
                }
            }, "the plugin's service is registered", 30);
            for (int i = 0; i < 3; i++) {
                String name = "preferred-" + i;
                apply(name, podWithCpu(name, "4"));
                await(() -> !nodeOf(name).isEmpty(), name + " is bound", 30);
                assertEquals("sim-2", nodeOf(name), "the plugin's score outweighs the spreading of least-allocated");
            }
            Distribution.Result removed = distribution.kubundle("bundles", "uninstall", "io.kubundle.scheduler.preferlabel", "--data-dir",
                    data.toString());
            assertEquals(0, removed.exitCode(), removed.err());
            apply("after", podWithCpu("after", "4"));
            await(() -> !nodeOf("after").isEmpty(), "the next pod is bound", 30);
            assertNotEquals("sim-2", nodeOf("after"), "without the plugin the least-allocated node wins again");
        } finally {
            kubectl("label", "node", "sim-2", "kubundle.io/preferred-");
        }
    }

    @Test
    @Order(6)
    void aProfileNamingAMissingPluginIsReportedAndItsPodsWait() throws Exception {
        Path config = distribution.home.resolve("etc/io.kubundle.scheduler.cfg");
        String original = Files.readString(config);
        Files.writeString(config, original.replace("DefaultPreemption, DefaultBinder", "DefaultPreemption, DefaultBinder, VendorThing:2"));
        try {
            await(() -> {
                try {
                    Distribution.Result list = distribution.kubundle("bundles", "list", "--data-dir", data.toString());
                    return list.exitCode() == 1 && list.out().contains(
                            "io.kubundle.scheduler scheduler: DEGRADED: profile default-scheduler: plugin VendorThing is not installed");
                } catch (Exception e) {
                    return false;
                }
            }, "kubundle bundles list reports the missing plugin", 30);
            apply("waiting", pod("waiting", ""));
            awaitFailedScheduling("waiting", "profile default-scheduler cannot schedule: plugin(s) VendorThing not installed");
            assertEquals("", nodeOf("waiting"));
        } finally {
            Files.writeString(config, original);
        }
        await(() -> !nodeOf("waiting").isEmpty(), "the profile is whole again: the pod is scheduled", 30);
        await(() -> {
            try {
                return distribution.kubundle("bundles", "list", "--data-dir", data.toString()).exitCode() == 0;
            } catch (Exception e) {
                return false;
            }
        }, "healthy again", 30);
    }

    @Test
    @Order(7)
    void swappingTheSchedulerMidWorkLosesAndDuplicatesNothing() throws Exception {
        String namespace = "swap";
        ObjectNode ns = client.json().createObjectNode();
        ns.putObject("metadata").put("name", namespace);
        client.resources(NAMESPACES).create(ns);
        ResourceClient<ObjectNode> pods = client.resources(PODS);
        Path jar;
        try (var files = Files.list(distribution.home.resolve("bundles"))) {
            jar = files.filter(p -> p.getFileName().toString().matches("kubundle-scheduler-[0-9].*\\.jar")).findFirst().orElseThrow();
        }
        ExecutorService creators = Executors.newFixedThreadPool(8);
        List<Future<?>> created = new ArrayList<>();
        int total = 240; // 3 nodes take 110 pods each
        try {
            for (int i = 0; i < 180; i++) {
                created.add(creators.submit(create(pods, namespace, "swap-" + i)));
            }
            Thread.sleep(300);
            Distribution.Result removed = distribution.kubundle("bundles", "uninstall", "io.kubundle.scheduler", "--data-dir",
                    data.toString());
            assertEquals(0, removed.exitCode(), removed.err());
            for (Future<?> future : created) {
                future.get(120, TimeUnit.SECONDS);
            }
            for (int i = 180; i < total; i++) {
                create(pods, namespace, "swap-" + i).call();
            }
            Thread.sleep(1_000);
            long pendingWithoutScheduler = pods.list(namespace, ListOptions.ALL).items().stream()
                    .filter(pod -> pod.path("spec").path("nodeName").asText("").isEmpty()).count();
            assertTrue(pendingWithoutScheduler >= 60, "without a scheduler pods wait: " + pendingWithoutScheduler);
        } finally {
            creators.shutdownNow();
            Distribution.Result installed = distribution.kubundle("bundles", "install", jar.toString(), "--data-dir", data.toString());
            assertEquals(0, installed.exitCode(), installed.err());
        }
        await(() -> {
            try {
                List<ObjectNode> items = pods.list(namespace, ListOptions.ALL).items();
                return items.size() == total && items.stream().allMatch(pod -> pod.path("status").path("phase").asText().equals("Running"));
            } catch (Exception e) {
                return false;
            }
        }, "every pod bound and running", 120);
        List<ObjectNode> items = pods.list(namespace, ListOptions.ALL).items();
        assertEquals(total, items.size(), "no pod lost");
        Map<String, Integer> scheduledEvents = new HashMap<>();
        for (ObjectNode event : client.resources(EVENTS).list(namespace, ListOptions.ALL).items()) {
            JsonNode involved = event.path("involvedObject");
            if (event.path("reason").asText().equals("Scheduled")) {
                scheduledEvents.merge(involved.path("name").asText(), 1, Integer::sum);
            }
            assertFalse(event.path("message").asText().startsWith("Binding rejected"), "no pod was bound twice: " + event);
        }
        scheduledEvents.forEach((pod, count) -> assertEquals(1, count, pod + " was scheduled " + count + " times"));
        assertTrue(scheduledEvents.size() >= total * 9 / 10, "Scheduled events are best effort, but here nearly all are written: "
                + scheduledEvents.size());
        client.resources(NAMESPACES).delete(null, namespace);
    }

    private static java.util.concurrent.Callable<Void> create(ResourceClient<ObjectNode> pods, String namespace, String name) {
        return () -> {
            ObjectNode pod = client.json().createObjectNode();
            pod.putObject("metadata").put("name", name).put("namespace", namespace);
            pod.putObject("spec").putArray("containers").addObject().put("name", "c").put("image", "nginx");
            pods.create(pod);
            return null;
        };
    }
}
