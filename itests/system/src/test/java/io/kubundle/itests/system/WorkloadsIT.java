package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
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
 * The DaemonSet and StatefulSet controllers in {@code up} with three simulated nodes, driven by
 * the real kubectl as the tutorial does: a DaemonSet on every node, restricted by a node label and
 * a nodeSelector, kept off a tainted node unless tolerated, following a fourth node, rolled to a
 * new image while its controller's bundle is removed and installed again; a StatefulSet of three
 * with a claim template, made in order, scaled down from the top keeping the claim, and rolled
 * with a partition.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkloadsIT {
    private static final ResourceKind<ObjectNode> PODS = ResourceKind.of("v1", "Pod", "pods", true, ObjectNode.class);

    @TempDir
    static Path dir;

    static Distribution distribution;
    static KubundleProcess up;
    static KubundleProcess sim;
    static KubundleProcess extra;
    static Kubectl kubectl;
    static ResourceClient<ObjectNode> pods;

    @BeforeAll
    static void startUp() throws Exception {
        distribution = Distribution.copyInto(dir);
        Files.writeString(distribution.home.resolve("etc/io.kubundle.runtime.sim.cfg"), "leaseRenewSeconds = 1\n");
        Path data = dir.resolve("data");
        up = KubundleProcess.start(distribution, data, "master", "--port", Integer.toString(RolesIT.freePort()));
        sim = KubundleProcess.start(distribution, dir.resolve("sim"), "sim-nodes", "--kubeconfig", data.resolve("kubeconfig").toString(),
                "--count", "3");
        kubectl = new Kubectl(data.resolve("kubeconfig"), dir.resolve("kube-cache"));
        pods = KubeClient.fromKubeconfig(data.resolve("kubeconfig")).resources(PODS);
        await(() -> kubectl("get", "nodes", "--no-headers").lines().filter(line -> line.contains(" Ready ")).count() == 3,
                "three Ready nodes");
    }

    @AfterAll
    static void stop() throws Exception {
        for (KubundleProcess process : new KubundleProcess[] {extra, sim, up}) {
            if (process != null) {
                process.close();
            }
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(condition, () -> what, 30);
    }

    private static String kubectl(String... args) {
        return kubectl.must(args);
    }

    private static void apply(String name, String yaml) {
        try {
            kubectl("apply", "-f", Files.writeString(dir.resolve(name + ".yaml"), yaml).toString());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The pods with a label that are not being deleted. */
    private static List<JsonNode> live(String selector) {
        try {
            List<JsonNode> result = new ArrayList<>();
            for (ObjectNode pod : pods.list("default", ListOptions.labels(selector)).items()) {
                if (!pod.path("metadata").has("deletionTimestamp")) {
                    result.add(pod);
                }
            }
            return result;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** node -> how many live pods of the DaemonSet run there, sorted by node. */
    private static Map<String, Integer> perNode(String app) {
        Map<String, Integer> counts = new TreeMap<>();
        live("app=" + app).forEach(pod -> counts.merge(pod.path("spec").path("nodeName").asText(), 1, Integer::sum));
        return counts;
    }

    private static String daemonSet(String name, String extraSpec) {
        return """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: %1$s}
                spec:
                  selector: {matchLabels: {app: %1$s}}
                  template:
                    metadata: {labels: {app: %1$s}}
                    spec:
                      containers: [{name: c, image: "fluentd:1"}]
                %2$s""".formatted(name, extraSpec);
    }

    @Test
    @Order(1)
    void aDaemonSetRunsOnEveryEligibleNode() throws Exception {
        apply("fluentd", daemonSet("fluentd", ""));
        await(() -> perNode("fluentd").equals(Map.of("sim-0", 1, "sim-1", 1, "sim-2", 1)), "a fluentd pod on every node");
        assertTrue(kubectl("rollout", "status", "ds/fluentd", "--timeout=30s").contains("successfully rolled out"));
        JsonNode pod = live("app=fluentd").get(0);
        assertEquals(pod.path("spec").path("nodeName").asText(), pod.path("spec").path("affinity").path("nodeAffinity")
                .path("requiredDuringSchedulingIgnoredDuringExecution").path("nodeSelectorTerms").path(0).path("matchFields").path(0)
                .path("values").path(0).asText(), "bound by name and by affinity");
        assertEquals("3 3 3 3", kubectl("get", "ds", "fluentd", "-o",
                "jsonpath={.status.desiredNumberScheduled} {.status.currentNumberScheduled} {.status.numberReady} {.status.updatedNumberScheduled}"));

        // a label and a nodeSelector
        apply("ssd", daemonSet("ssd", "      nodeSelector: {disktype: ssd}\n"));
        Thread.sleep(1_000);
        assertEquals(Map.of(), perNode("ssd"));
        kubectl("label", "node", "sim-1", "disktype=ssd");
        await(() -> perNode("ssd").equals(Map.of("sim-1", 1)), "the ssd pod on the labelled node");
        kubectl("label", "node", "sim-1", "disktype-");
        await(() -> perNode("ssd").isEmpty(), "the ssd pod gone with the label");

        // NoSchedule keeps new pods off unless tolerated; NoExecute removes them
        kubectl("taint", "node", "sim-2", "dedicated=db:NoSchedule");
        apply("plain", daemonSet("plain", ""));
        apply("tolerant", daemonSet("tolerant",
                "      tolerations: [{key: dedicated, operator: Equal, value: db, effect: NoSchedule}]\n"));
        await(() -> perNode("tolerant").size() == 3, "the tolerant set on all three nodes");
        await(() -> perNode("plain").equals(Map.of("sim-0", 1, "sim-1", 1)), "the plain set off the tainted node");
        assertEquals(3, perNode("fluentd").size(), "a NoSchedule taint lets running daemon pods stay");
        kubectl("taint", "node", "sim-2", "evict=now:NoExecute");
        await(() -> perNode("fluentd").equals(Map.of("sim-0", 1, "sim-1", 1)), "NoExecute removes the pod");
        kubectl("taint", "node", "sim-2", "evict-", "dedicated-");
        await(() -> perNode("fluentd").size() == 3 && perNode("plain").size() == 3, "back on the untainted node");

        // a fourth node gets its pods
        extra = KubundleProcess.start(distribution, dir.resolve("extra"), "sim-nodes", "--kubeconfig",
                dir.resolve("data/kubeconfig").toString(), "--count", "1", "--prefix", "extra");
        await(() -> perNode("fluentd").equals(Map.of("extra-0", 1, "sim-0", 1, "sim-1", 1, "sim-2", 1)), "a pod on the new node");
        kubectl("delete", "ds", "ssd", "plain", "tolerant");
    }

    @Test
    @Order(2)
    void aRollingUpdateSurvivesTheControllerBeingSwappedWithoutDuplicates() throws Exception {
        await(() -> perNode("fluentd").size() == 4, "fluentd on four nodes");
        Path jar;
        try (var files = Files.list(distribution.home.resolve("bundles"))) {
            jar = files.filter(p -> p.getFileName().toString().startsWith("kubundle-controller-daemonset-")).findFirst().orElseThrow();
        }
        Path data = dir.resolve("data");
        kubectl("set", "image", "ds/fluentd", "c=fluentd:2");
        Thread.sleep(300);
        Distribution.Result removed = distribution.kubundle("bundles", "uninstall", "io.kubundle.controller.daemonset", "--data-dir",
                data.toString());
        assertEquals(0, removed.exitCode(), removed.err());
        try {
            Thread.sleep(1_000);
            perNode("fluentd").values().forEach(count -> assertEquals(1, count, "never two pods on a node"));
        } finally {
            Distribution.Result installed = distribution.kubundle("bundles", "install", jar.toString(), "--data-dir", data.toString());
            assertEquals(0, installed.exitCode(), installed.err());
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (live("app=fluentd").stream().anyMatch(pod -> !pod.path("spec").path("containers").path(0).path("image").asText()
                .equals("fluentd:2")) || perNode("fluentd").size() < 4) {
            perNode("fluentd").values().forEach(count -> assertEquals(1, count, "never two pods on a node"));
            assertTrue(System.nanoTime() < deadline, "the rollout finishes");
            Thread.sleep(100);
        }
        assertTrue(kubectl("rollout", "status", "ds/fluentd", "--timeout=30s").contains("successfully rolled out"));
        assertEquals(Map.of("extra-0", 1, "sim-0", 1, "sim-1", 1, "sim-2", 1), perNode("fluentd"));
        assertEquals(2, kubectl("get", "controllerrevisions", "-o", "name").lines().filter(l -> l.contains("fluentd-")).count());
        kubectl("delete", "ds", "fluentd");
    }

    private static final String WEB = """
            apiVersion: v1
            kind: Service
            metadata: {name: nginx}
            spec:
              clusterIP: None
              selector: {app: nginx}
              ports: [{port: 80}]
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: web}
            spec:
              serviceName: nginx
              replicas: 3
              selector: {matchLabels: {app: nginx}}
              template:
                metadata: {labels: {app: nginx}}
                spec:
                  nodeName: sim-0
                  containers: [{name: nginx, image: "nginx:1", volumeMounts: [{name: www, mountPath: /usr/share/nginx/html}]}]
              volumeClaimTemplates:
              - metadata: {name: www}
                spec:
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 1Gi}}
            """;

    /** name -> pod of the live web pods. */
    private static Map<String, JsonNode> web() {
        Map<String, JsonNode> byName = new TreeMap<>();
        live("app=nginx").forEach(pod -> byName.put(pod.path("metadata").path("name").asText(), pod));
        return byName;
    }

    private static String image(Map<String, JsonNode> web, String name) {
        return web.get(name).path("spec").path("containers").path(0).path("image").asText();
    }

    @Test
    @Order(3)
    void aStatefulSetMakesItsPodsInOrderKeepsClaimsAndRollsWithAPartition() throws Exception {
        apply("web", WEB);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            Map<String, JsonNode> web = web();
            for (int i = 1; i < 3; i++) {
                if (web.containsKey("web-" + i)) {
                    JsonNode previous = web.get("web-" + (i - 1));
                    assertTrue(previous != null && SimCluster.ready(previous), "web-" + i + " only after web-" + (i - 1) + " is Ready: " + web.keySet());
                }
            }
            if (web.size() == 3 && web.values().stream().allMatch(SimCluster::ready)) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "three ready pods within 30 s: " + web.keySet());
            Thread.sleep(50);
        }
        assertEquals("web-0 web-1 web-2", String.join(" ", web().keySet()));
        assertEquals("web-1/nginx", kubectl("get", "pod", "web-1", "-o", "jsonpath={.spec.hostname}/{.spec.subdomain}"));
        assertEquals("www-web-0 www-web-1 www-web-2", kubectl("get", "pvc", "-o", "jsonpath={.items[*].metadata.name}"));
        assertEquals("www-web-2", kubectl("get", "pod", "web-2", "-o",
                "jsonpath={.spec.volumes[?(@.name=='www')].persistentVolumeClaim.claimName}"));
        assertTrue(kubectl("rollout", "status", "sts/web", "--timeout=30s").contains("complete"));

        kubectl("scale", "sts", "web", "--replicas=2");
        await(() -> web().keySet().equals(java.util.Set.of("web-0", "web-1")), "web-2 removed first");
        assertEquals("www-web-0 www-web-1 www-web-2", kubectl("get", "pvc", "-o", "jsonpath={.items[*].metadata.name}"),
                "its claim is kept");
        kubectl("scale", "sts", "web", "--replicas=3");
        await(() -> web().size() == 3 && web().values().stream().allMatch(SimCluster::ready), "web-2 back");

        kubectl("patch", "sts", "web", "-p", "{\"spec\":{\"updateStrategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":2}}}}");
        kubectl("set", "image", "sts/web", "nginx=nginx:2");
        await(() -> {
            Map<String, JsonNode> web = web();
            return web.size() == 3 && image(web, "web-2").equals("nginx:2") && SimCluster.ready(web.get("web-2"));
        }, "web-2 updated");
        assertTrue(kubectl("rollout", "status", "sts/web", "--timeout=30s").contains("partitioned roll out complete"));
        Thread.sleep(1_000);
        Map<String, JsonNode> partitioned = web();
        assertEquals("nginx:1 nginx:1", image(partitioned, "web-0") + " " + image(partitioned, "web-1"), "below the partition: untouched");

        kubectl("patch", "sts", "web", "-p", "{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"partition\":0}}}}");
        deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            Map<String, JsonNode> web = web();
            if (web.containsKey("web-0") && image(web, "web-0").equals("nginx:2")) {
                assertTrue(web.containsKey("web-1") && image(web, "web-1").equals("nginx:2"), "web-1 before web-0");
            }
            if (web.size() == 3 && web.values().stream().allMatch(pod -> SimCluster.ready(pod)
                    && pod.path("spec").path("containers").path(0).path("image").asText().equals("nginx:2"))) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "the update completes within 30 s");
            Thread.sleep(50);
        }
        assertTrue(kubectl("rollout", "status", "sts/web", "--timeout=30s").contains("complete"));
        await(() -> {
            String revisions = kubectl("get", "sts", "web", "-o", "jsonpath={.status.currentRevision} {.status.updateRevision}");
            String[] parts = revisions.split(" ");
            return parts.length == 2 && parts[0].equals(parts[1]);
        }, "the update revision becomes the current one");
    }
}
