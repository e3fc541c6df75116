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

    static KubundleProcess up;
    static Kubectl kubectl;
    static KubernetesClient client;

    @BeforeAll
    static void startUp() throws Exception {
        Distribution distribution = Distribution.copyInto(dir);
        // a watch cache of 2 changes per type: the watch below is older than its ring, so it reads the store's history,
        // which compaction removes (a revision still in the ring is served from the cache, compacted or not, as Kubernetes does)
        Files.writeString(distribution.home.resolve("etc/io.kubundle.apiserver.cfg"), "compactionIntervalSeconds = 1\nwatchCacheSize = 2\n");
        Path data = dir.resolve("data");
        up = KubundleProcess.start(distribution, data, "up", "--port", Integer.toString(RolesIT.freePort()));
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
}
