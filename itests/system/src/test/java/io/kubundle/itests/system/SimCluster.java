package io.kubundle.itests.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ListOptions;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceKind;
import io.kubundle.itests.support.BundleJars;

/**
 * A whole cluster for an IT: {@code kubundle up} and one {@code kubundle sim-nodes} process
 * against it, the real kubectl and a typed client on its kubeconfig; swaps a bundle for a new
 * version of itself; closes both processes.
 */
final class SimCluster implements AutoCloseable {
    static final ResourceKind<ObjectNode> PODS = ResourceKind.of("v1", "Pod", "pods", true, ObjectNode.class);

    final Path dir;
    final Distribution distribution;
    final KubundleProcess up;
    final KubundleProcess sim;
    final Kubectl kubectl;
    final KubeClient client;

    private SimCluster(Path dir, Distribution distribution, KubundleProcess up, KubundleProcess sim) {
        this.dir = dir;
        this.distribution = distribution;
        this.up = up;
        this.sim = sim;
        Path kubeconfig = dir.resolve("data").resolve("kubeconfig");
        this.kubectl = new Kubectl(kubeconfig, dir.resolve("kube-cache"));
        try {
            this.client = KubeClient.fromKubeconfig(kubeconfig);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts {@code up} (with {@code upArgs}) and {@code nodes} simulated nodes sim-0.., and waits until they are Ready. */
    static SimCluster start(Path dir, int nodes, String... upArgs) throws Exception {
        Distribution distribution = Distribution.copyInto(dir);
        Path data = dir.resolve("data");
        String[] args = new String[upArgs.length + 2];
        args[0] = "--port";
        args[1] = Integer.toString(RolesIT.freePort());
        System.arraycopy(upArgs, 0, args, 2, upArgs.length);
        KubundleProcess up = KubundleProcess.start(distribution, data, "master", args);
        KubundleProcess sim = null;
        try {
            sim = KubundleProcess.start(distribution, dir.resolve("sim"), "sim-nodes", "--kubeconfig",
                    data.resolve("kubeconfig").toString(), "--count", Integer.toString(nodes));
            SimCluster cluster = new SimCluster(dir, distribution, up, sim);
            await(() -> cluster.kubectl("get", "nodes", "--no-headers").lines().filter(line -> line.contains(" Ready ")).count() == nodes,
                    nodes + " nodes Ready", 60);
            return cluster;
        } catch (Exception | AssertionError e) {
            if (sim != null) {
                sim.close();
            }
            up.close();
            throw e;
        }
    }

    static void await(BooleanSupplier condition, String what, int seconds) throws InterruptedException {
        Await.until(condition, () -> what, seconds);
    }

    /** Runs kubectl, failing the test on a non-zero exit. */
    String kubectl(String... args) {
        return kubectl.must(args);
    }

    Path manifest(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    ResourceClient<ObjectNode> pods() {
        return client.resources(PODS);
    }

    /** The pods of a label selector in {@code default} that are not being deleted. */
    List<JsonNode> livePods(String selector) {
        try {
            return pods().list("default", ListOptions.labels(selector)).items().stream()
                    .filter(pod -> !pod.path("metadata").has("deletionTimestamp")).map(pod -> (JsonNode) pod).toList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Its Ready condition is True. */
    static boolean ready(JsonNode pod) {
        for (JsonNode condition : pod.path("status").path("conditions")) {
            if (condition.path("type").asText().equals("Ready")) {
                return condition.path("status").asText().equals("True");
            }
        }
        return false;
    }

    /**
     * Replaces the bundle {@code symbolicName}, whose jar in the distribution starts with
     * {@code jarPrefix}, by a copy of itself versioned {@code version}, with {@code kubundle bundles swap}.
     */
    void swap(String symbolicName, String jarPrefix, String version) throws Exception {
        swap(distribution, dir, symbolicName, jarPrefix, version);
    }

    /** As {@link #swap(String, String, String)}, for a test with its own {@code up} on {@code dir/data}. */
    static void swap(Distribution distribution, Path dir, String symbolicName, String jarPrefix, String version) throws Exception {
        Path jar;
        try (var files = Files.list(distribution.home.resolve("bundles"))) {
            jar = files.filter(p -> p.getFileName().toString().startsWith(jarPrefix)).findFirst().orElseThrow();
        }
        Path next = BundleJars.withVersion(jar, version, Files.createDirectories(dir.resolve("next-" + symbolicName)));
        Distribution.Result swapped = distribution.kubundle("bundles", "swap", symbolicName, next.toString(),
                "--data-dir", dir.resolve("data").toString());
        if (swapped.exitCode() != 0) {
            throw new AssertionError("swap of " + symbolicName + " failed: " + swapped.err());
        }
    }

    @Override
    public void close() throws Exception {
        sim.close();
        up.close();
    }
}
