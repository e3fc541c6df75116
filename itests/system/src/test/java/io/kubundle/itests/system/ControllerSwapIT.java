package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.client.kube.ListOptions;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.WatchEvent;
import io.kubundle.client.kube.WatchHandler;

/**
 * The controllers swapped halfway through their work, as an admin would update them in a running
 * cluster: a rollout of 100 replicas with the Deployment and ReplicaSet controllers both replaced
 * in the middle, and a StatefulSet's ordered rolling update with its controller replaced. A watch
 * records every pod created: each new pod must be created exactly once (nothing duplicated) and
 * every one must be there at the end (nothing lost).
 */
class ControllerSwapIT {
    @TempDir
    static Path dir;

    static SimCluster cluster;

    @BeforeAll
    static void startUp() throws Exception {
        cluster = SimCluster.start(dir, 3);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Every pod of a selector created from now on, by name, with the image it was created with. */
    private static final class CreatedPods implements AutoCloseable {
        final Map<String, String> imageByName = new ConcurrentHashMap<>();
        final Map<String, Integer> creations = new ConcurrentHashMap<>();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        private final ResourceClient.Watch watch;

        CreatedPods(String selector) throws Exception {
            ResourceClient<ObjectNode> pods = cluster.pods();
            String revision = pods.list("default", ListOptions.labels(selector)).resourceVersion();
            watch = pods.watch("default", ListOptions.labels(selector).withResourceVersion(revision), 600, new WatchHandler<>() {
                @Override
                public void onEvent(WatchEvent<ObjectNode> event) {
                    if (event.type().equals(WatchEvent.ADDED)) {
                        imageByName.put(event.name(), event.object().at("/spec/containers/0/image").asText());
                        creations.merge(event.name(), 1, Integer::sum);
                    }
                }

                @Override
                public void onClose(Exception e) {
                    failure.compareAndSet(null, e == null ? new IllegalStateException("the watch ended early") : e);
                }
            });
        }

        Set<String> withImage(String image) {
            return imageByName.entrySet().stream().filter(e -> e.getValue().equals(image)).map(Map.Entry::getKey)
                    .collect(Collectors.toCollection(TreeSet::new));
        }

        @Override
        public void close() throws Exception {
            watch.close();
        }
    }

    @Test
    void aRolloutOfAHundredReplicasSurvivesBothControllersBeingSwappedHalfway() throws Exception {
        // maxUnavailable 0, 10 at a time, each wave ready for 2 s: the rollout takes long enough to swap in the middle
        cluster.kubectl("apply", "-f", cluster.manifest("hundred.yml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: hundred}
                spec:
                  replicas: 100
                  minReadySeconds: 2
                  selector: {matchLabels: {app: hundred}}
                  strategy:
                    type: RollingUpdate
                    rollingUpdate: {maxSurge: 10, maxUnavailable: 0}
                  template:
                    metadata: {labels: {app: hundred}}
                    spec:
                      containers: [{name: c, image: "nginx:1.26"}]
                """).toString());
        cluster.kubectl("rollout", "status", "deployment/hundred", "--timeout=180s");
        assertEquals(100, cluster.livePods("app=hundred").size());

        try (CreatedPods created = new CreatedPods("app=hundred")) {
            cluster.kubectl("set", "image", "deployment/hundred", "c=nginx:1.27");
            SimCluster.await(() -> created.withImage("nginx:1.27").size() >= 30, "30 new pods created", 120);

            cluster.swap("io.kubundle.controller.replicaset", "kubundle-controller-replicaset-", "2.0.0");
            cluster.swap("io.kubundle.controller.deployment", "kubundle-controller-deployment-", "2.0.0");
            int updatedAtSwap = Integer.parseInt(cluster.kubectl("get", "deployment", "hundred", "-o",
                    "jsonpath={.status.updatedReplicas}"));
            assertTrue(updatedAtSwap < 100, "the swaps happened mid-rollout: " + updatedAtSwap + " of 100 updated");

            assertTrue(cluster.kubectl("rollout", "status", "deployment/hundred", "--timeout=240s").contains("successfully rolled out"));
            SimCluster.await(() -> cluster.livePods("app=hundred").size() == 100, "100 live pods", 60);
            Set<String> live = cluster.livePods("app=hundred").stream().map(pod -> pod.at("/metadata/name").asText())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertTrue(cluster.livePods("app=hundred").stream().allMatch(pod -> pod.at("/spec/containers/0/image").asText()
                    .equals("nginx:1.27") && SimCluster.ready(pod)), "every replica is new and ready");
            assertNull(created.failure.get());
            assertEquals(100, created.withImage("nginx:1.27").size(), "exactly 100 new pods were ever created: none twice");
            assertEquals(live, created.withImage("nginx:1.27"), "every new pod created is still there: none lost");
            assertEquals(2, cluster.kubectl("get", "rs", "-l", "app=hundred", "--no-headers").lines().count(),
                    "no ReplicaSet made twice");
        }
    }

    @Test
    void aStatefulSetsRollingUpdateSurvivesItsControllerBeingSwapped() throws Exception {
        cluster.kubectl("apply", "-f", cluster.manifest("web.yml", """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: web}
                spec:
                  replicas: 10
                  minReadySeconds: 1
                  serviceName: web
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: [{name: c, image: "nginx:1.26"}]
                """).toString());
        cluster.kubectl("rollout", "status", "statefulset/web", "--timeout=180s");

        try (CreatedPods created = new CreatedPods("app=web")) {
            cluster.kubectl("set", "image", "statefulset/web", "c=nginx:1.27");
            // a StatefulSet replaces its pods one at a time from the highest ordinal down
            SimCluster.await(() -> created.withImage("nginx:1.27").size() >= 3, "three pods replaced", 120);
            cluster.swap("io.kubundle.controller.statefulset", "kubundle-controller-statefulset-", "2.0.0");
            assertFalse(created.withImage("nginx:1.27").contains("web-0"), "the swap happened mid-update");

            assertTrue(cluster.kubectl("rollout", "status", "statefulset/web", "--timeout=240s").contains("complete"));
            Map<String, String> images = new TreeMap<>();
            cluster.livePods("app=web").forEach(pod -> images.put(pod.at("/metadata/name").asText(),
                    pod.at("/spec/containers/0/image").asText()));
            Map<String, String> expected = new TreeMap<>();
            IntStream.range(0, 10).forEach(i -> expected.put("web-" + i, "nginx:1.27"));
            assertEquals(expected, images, "web-0..web-9, each once, all updated");
            assertNull(created.failure.get());
            assertEquals(expected.keySet(), created.withImage("nginx:1.27"));
            assertTrue(created.creations.values().stream().allMatch(count -> count == 1),
                    "each ordinal was recreated exactly once: " + created.creations);
        }
    }
}
