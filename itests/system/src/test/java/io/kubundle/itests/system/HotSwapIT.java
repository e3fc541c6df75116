package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.client.admin.AdminClient;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.itests.support.BundleJars;
import io.kubundle.itests.support.client.ClientConformance;

/**
 * The master's central plugins replaced by their next release while {@code up} runs: the store
 * (side by side under a writer, then in place), the API server and the security bundle (side by side). kubectl keeps working, nothing stored is lost, and
 * nothing is left behind (one provider of each service, every component active).
 */
class HotSwapIT {
    @TempDir
    static Path dir;

    static Distribution distribution;
    static KubundleProcess up;
    static Kubectl kubectl;
    static Path data;

    @BeforeAll
    static void startUp() throws Exception {
        distribution = Distribution.copyInto(dir);
        data = dir.resolve("data");
        up = KubundleProcess.start(distribution, data, "master", "--port", Integer.toString(RolesIT.freePort()));
        kubectl = new Kubectl(data.resolve("kubeconfig"), dir.resolve("kube-cache"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (up != null) {
            up.close();
        }
    }

    private static Path jar(String prefix) throws Exception {
        try (var files = Files.list(distribution.home.resolve("bundles"))) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
    }

    private static int providers(String iface) throws Exception {
        int count = 0;
        for (JsonNode bundle : AdminClient.forDataDir(data).list().path("bundles")) {
            for (JsonNode service : bundle.path("services")) {
                if (service.path("objectClass").toString().contains("\"" + iface + "\"")) {
                    count++;
                }
            }
        }
        return count;
    }

    /** In place: the old version stops and releases what it holds, then the new one starts. */
    private static void update(String symbolicName, String jarPrefix, String version) throws Exception {
        Path next = BundleJars.withVersion(jar(jarPrefix), version, Files.createDirectories(dir.resolve("next-" + jarPrefix)));
        Distribution.Result updated = distribution.kubundle("bundles", "update", symbolicName, next.toString(), "--data-dir", data.toString());
        assertEquals(0, updated.exitCode(), updated.err());
        assertTrue(updated.out().startsWith("updated " + symbolicName + " " + version), updated.out());
    }

    /** Side by side: the new version starts next to the old one, which then leaves. */
    private static void swap(String symbolicName, String jarPrefix, String version) throws Exception {
        Path next = BundleJars.withVersion(jar(jarPrefix), version, Files.createDirectories(dir.resolve("next-" + jarPrefix)));
        Distribution.Result swapped = distribution.kubundle("bundles", "swap", symbolicName, next.toString(), "--data-dir", data.toString());
        assertEquals(0, swapped.exitCode(), swapped.err());
        assertTrue(swapped.out().startsWith("swapped " + symbolicName), swapped.out());
    }

    /** kubectl answers once the swapped-in API server listens again (it rebinds the same port). */
    private static String kubectlEventually(String... args) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        Distribution.Result last = null;
        while (System.nanoTime() < deadline) {
            last = kubectl.run(args);
            if (last.exitCode() == 0) {
                return last.out();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("kubectl " + String.join(" ", args) + " kept failing: " + last.err());
    }

    @Test
    void storeApiServerAndSecuritySwapWhileRunning() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            names.add("before-" + i);
            kubectl.ok("create", "configmap", "before-" + i, "--from-literal=n=" + i);
        }

        // side by side: the new store takes the database over when the old one leaves, while a
        // writer keeps creating objects; every acknowledged write must be there afterwards
        KubeClient client = KubeClient.fromKubeconfig(data.resolve("kubeconfig"));
        ResourceClient<ObjectNode> maps = client.resources(ClientConformance.CONFIG_MAPS);
        List<String> written = new CopyOnWriteArrayList<>();
        List<String> failed = new CopyOnWriteArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            for (int i = 0; writing.get(); i++) {
                ObjectNode map = client.json().createObjectNode();
                map.putObject("metadata").put("name", "during-" + i).put("namespace", "default");
                try {
                    maps.create(map);
                    written.add("during-" + i);
                } catch (Exception e) {
                    failed.add("during-" + i + ": " + e.getMessage());
                }
            }
        });
        writer.start();
        Thread.sleep(300);
        swap("io.kubundle.store.embedded", "kubundle-store-embedded-", "9.0.0");
        Thread.sleep(300);
        writing.set(false);
        writer.join();
        assertEquals(List.of(), failed, "writes failed during the store swap");
        names.addAll(written);
        assertTrue(written.size() > 5, "the writer kept writing: " + written.size());
        // and in place, the other way to replace a plugin
        update("io.kubundle.store.embedded", "kubundle-store-embedded-", "9.1.0");
        String afterStore = kubectlEventually("get", "configmaps", "-o", "name");
        for (String name : names) {
            assertTrue(afterStore.contains("configmap/" + name), "lost " + name + " in the store swaps:\n" + afterStore);
        }
        kubectlEventually("create", "configmap", "after-store", "--from-literal=n=x");

        swap("io.kubundle.apiserver", "kubundle-apiserver-", "9.0.0");
        swap("io.kubundle.security", "kubundle-security-", "9.0.0");
        String afterAll = kubectlEventually("get", "configmaps", "-o", "name");
        assertTrue(afterAll.contains("configmap/after-store"), afterAll);
        assertTrue(afterAll.contains("configmap/before-4"), afterAll);

        assertEquals(1, providers("io.kubundle.api.store.Store"), "one store, the new one");
        assertEquals(1, providers("io.kubundle.api.auth.ClusterCertificates"));
        assertEquals("ok", AdminClient.forDataDir(data).health().path("status").asText(), "every component active after the swaps");
        assertEquals(0, distribution.kubundle("bundles", "list", "--data-dir", data.toString()).exitCode());
    }
}
