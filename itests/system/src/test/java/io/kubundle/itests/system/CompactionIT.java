package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * The API server compacts the store's history on its interval (here 1 s, from
 * {@code etc/io.kubundle.apiserver.cfg}): a watch from a compacted revision older than the watch
 * cache's ring gets 410 Expired, which kubectl shows, while lists and watches from now go on working.
 */
class CompactionIT {
    @TempDir
    static Path dir;

    static Distribution distribution;
    static Path data;
    static int port;
    static KubundleProcess up;
    static Kubectl kubectl;
    static KubernetesClient client;

    @BeforeAll
    static void startUp() throws Exception {
        distribution = Distribution.copyInto(dir);
        // a watch cache of 2 changes per type: the watch below is older than its ring, so it reads the store's history,
        // which compaction removes (a revision still in the ring is served from the cache, compacted or not, as Kubernetes does)
        Files.writeString(distribution.home.resolve("etc/io.kubundle.apiserver.cfg"), "compactionIntervalSeconds = 1\nwatchCacheSize = 2\n");
        data = dir.resolve("data");
        port = RolesIT.freePort();
        up = KubundleProcess.start(distribution, data, "master", "--port", Integer.toString(port));
        kubectl = new Kubectl(data.resolve("kubeconfig"), dir.resolve("kubectl-cache"));
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(data.resolve("kubeconfig")))).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (up != null) {
            up.close();
        }
    }

    @Test
    void aWatchFromACompactedRevisionIsToldToRelist() throws Exception {
        String first = client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("early")
                .endMetadata().withData(Map.of("k", "v")).build()).create().getMetadata().getResourceVersion();
        for (int i = 0; i < 5; i++) {
            client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("later-" + i)
                    .endMetadata().build()).create();
        }
        // two ticks: the first notes the revision, the second compacts to it
        long deadline = System.nanoTime() + 20_000_000_000L;
        String answer;
        do {
            Thread.sleep(500);
            answer = kubectl.ok("get", "--raw", "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1&resourceVersion=" + first);
        } while (!answer.contains("\"code\":410") && System.nanoTime() < deadline);
        assertTrue(answer.contains("\"type\":\"ERROR\"") && answer.contains("\"code\":410") && answer.contains("Expired"), answer);

        assertEquals(6, client.configMaps().inNamespace("default").list().getItems().stream()
                .filter(map -> map.getMetadata().getName().startsWith("early") || map.getMetadata().getName().startsWith("later")).count(),
                "compaction keeps every current object");
        String now = client.configMaps().inNamespace("default").list().getMetadata().getResourceVersion();
        String fresh = kubectl.ok("get", "--raw", "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1&resourceVersion=" + now);
        assertTrue(!fresh.contains("\"code\":410"), "a watch from now is served: " + fresh);
    }

    /**
     * A fabric8 informer across a restart of the server while compaction runs: it resumes from
     * its revision if that is still there, or gets 410 and relists; either way its cache ends
     * equal to the server's state and its handlers heard every change.
     */
    @Test
    void aFabric8InformerConvergesAfterARestartAndCompaction() throws Exception {
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("watched")
                .endMetadata().build()).create();
        client.configMaps().inNamespace("watched").resource(new ConfigMapBuilder().withNewMetadata().withName("before").endMetadata()
                .build()).create();
        java.util.Set<String> heard = java.util.concurrent.ConcurrentHashMap.newKeySet();
        io.fabric8.kubernetes.client.informers.SharedIndexInformer<io.fabric8.kubernetes.api.model.ConfigMap> informer = client
                .configMaps().inNamespace("watched").inform(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
                    @Override
                    public void onAdd(io.fabric8.kubernetes.api.model.ConfigMap map) {
                        heard.add("add " + map.getMetadata().getName());
                    }

                    @Override
                    public void onUpdate(io.fabric8.kubernetes.api.model.ConfigMap old, io.fabric8.kubernetes.api.model.ConfigMap map) {
                        // resyncs and relists: not counted
                    }

                    @Override
                    public void onDelete(io.fabric8.kubernetes.api.model.ConfigMap map, boolean unknown) {
                        heard.add("delete " + map.getMetadata().getName());
                    }
                }, 0);
        try {
            // history moves on elsewhere, and compaction passes the informer's revision
            for (int i = 0; i < 5; i++) {
                client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("churn-" + i)
                        .endMetadata().build()).create();
            }
            Thread.sleep(3_000);
            up.stop();
            up = KubundleProcess.start(distribution, data, "master", "--port", Integer.toString(port));
            client.configMaps().inNamespace("watched").resource(new ConfigMapBuilder().withNewMetadata().withName("after").endMetadata()
                    .build()).create();
            client.configMaps().inNamespace("watched").withName("before").delete();

            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!(heard.contains("add after") && heard.contains("delete before")) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertTrue(heard.containsAll(java.util.List.of("add before", "add after", "delete before")), heard.toString());
            assertEquals(java.util.List.of("after"), informer.getStore().list().stream().map(map -> map.getMetadata().getName()).toList(),
                    "the informer's cache is the server's state");
        } finally {
            informer.close();
        }
    }
}
