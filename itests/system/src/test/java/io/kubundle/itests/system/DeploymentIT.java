package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;


/**
 * The Deployment and ReplicaSet controllers in {@code up} with simulated nodes, driven by the real
 * kubectl: the tutorial's nginx Deployment applied, scaled (re-applied and {@code kubectl scale}),
 * rolled out ({@code set image}, {@code rollout status}), its history, an undo to a revision,
 * pause and resume, restart; a rollout with {@code maxUnavailable: 0} sampled so that ready pods
 * never drop below the desired count; and the deployment controller's bundle swapped in the
 * middle of a rollout.
 */
class DeploymentIT {
    @TempDir
    static Path dir;

    static SimCluster cluster;

    @BeforeAll
    static void startUp() throws Exception {
        cluster = SimCluster.start(dir, 2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        SimCluster.await(condition, what, 40);
    }

    private static String kubectl(String... args) {
        return cluster.kubectl(args);
    }

    private static List<JsonNode> livePods(String selector) {
        return cluster.livePods(selector);
    }

    private static long readyPods(String selector) {
        return livePods(selector).stream().filter(SimCluster::ready).count();
    }

    private static String rolloutStatus(String deployment) {
        return kubectl("rollout", "status", "deployment/" + deployment, "--timeout=60s");
    }

    private static String image(String deployment) {
        return kubectl("get", "deployment", deployment, "-o", "jsonpath={.spec.template.spec.containers[0].image}");
    }

    private static Path manifest(String name, String text) throws Exception {
        return cluster.manifest(name, text);
    }

    /** A Deployment whose pods run on {@code sim-1}, with a rolling update's bounds. */
    private static String deploymentYaml(String name, int replicas, String maxSurge, String maxUnavailable) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %1$s}
                spec:
                  replicas: %2$d
                  selector: {matchLabels: {app: %1$s}}
                  strategy:
                    type: RollingUpdate
                    rollingUpdate: {maxSurge: %3$s, maxUnavailable: %4$s}
                  template:
                    metadata: {labels: {app: %1$s}}
                    spec:
                      nodeName: sim-1
                      containers: [{name: c, image: "nginx:1.26"}]
                """.formatted(name, replicas, maxSurge, maxUnavailable);
    }

    @Test
    void theTutorialDeploymentScalesRollsOutAndRollsBack() throws Exception {
        String tutorial = Files.readString(Path.of(getClass().getResource("/tutorial/nginx.yml").toURI()));
        // until the scheduler lands, the template binds its pods itself
        String bound = tutorial.replace("    spec:\n      containers:", "    spec:\n      nodeName: sim-0\n      containers:");
        assertTrue(bound.contains("nodeName"), bound);
        kubectl("apply", "--validate=false", "-f", manifest("nginx.yml", bound).toString());
        await(() -> readyPods("app=web_server") == 2, "two nginx pods run and are ready");
        assertTrue(rolloutStatus("nginx-deployment").contains("successfully rolled out"));
        String rsName = kubectl("get", "rs", "-l", "app=web_server", "-o", "jsonpath={.items[0].metadata.name}");
        assertTrue(rsName.matches("nginx-deployment-[bcdfghjklmnpqrstvwxz2456789]+"), rsName);
        String podName = livePods("app=web_server").get(0).path("metadata").path("name").asText();
        assertTrue(podName.matches(rsName + "-[bcdfghjklmnpqrstvwxz2456789]{5}"), podName);

        kubectl("apply", "--validate=false", "-f", manifest("nginx-3.yml", bound.replace("replicas: 2", "replicas: 3")).toString());
        await(() -> readyPods("app=web_server") == 3, "re-applied with 3 replicas");
        kubectl("scale", "deployment", "nginx-deployment", "--replicas=4");
        await(() -> readyPods("app=web_server") == 4, "kubectl scale to 4");
        await(() -> kubectl("get", "deployment", "nginx-deployment", "-o", "jsonpath={.status.availableReplicas}").equals("4"),
                "the status counts 4 available");
        assertTrue(kubectl("describe", "deployment", "nginx-deployment").contains("Scaled up replica set " + rsName + " to 4 from 3"));

        kubectl("set", "image", "deployment/nginx-deployment", "nginx=nginx:1.9.1");
        assertTrue(rolloutStatus("nginx-deployment").contains("successfully rolled out"));
        kubectl("set", "image", "deployment/nginx-deployment", "nginx=nginx:1.10");
        rolloutStatus("nginx-deployment");
        String history = kubectl("rollout", "history", "deployment/nginx-deployment");
        assertTrue(history.lines().map(String::strip).filter(l -> l.matches("[123]\\s+.*")).count() == 3, history);
        assertEquals("3", kubectl("get", "deployment", "nginx-deployment", "-o",
                "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}"));

        kubectl("rollout", "undo", "deployment/nginx-deployment", "--to-revision=2");
        rolloutStatus("nginx-deployment");
        assertEquals("nginx:1.9.1", image("nginx-deployment"));
        assertEquals("4", kubectl("get", "deployment", "nginx-deployment", "-o",
                "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}"), "the rolled-back template is revision 4");
        await(() -> livePods("app=web_server").stream().allMatch(p -> p.at("/spec/containers/0/image").asText().equals("nginx:1.9.1"))
                && livePods("app=web_server").size() == 4, "every pod runs the old image again");
        assertEquals(3, kubectl("get", "rs", "-l", "app=web_server", "--no-headers").lines().count(), "the undo reused revision 2's set");

        kubectl("rollout", "pause", "deployment/nginx-deployment");
        kubectl("set", "image", "deployment/nginx-deployment", "nginx=nginx:1.11");
        await(() -> kubectl("get", "deployment", "nginx-deployment", "-o",
                "jsonpath={.status.conditions[?(@.type=='Progressing')].reason}").equals("DeploymentPaused"), "paused shown");
        Thread.sleep(1_000);
        assertEquals(3, kubectl("get", "rs", "-l", "app=web_server", "--no-headers").lines().count(), "a paused deployment does not roll");
        kubectl("rollout", "resume", "deployment/nginx-deployment");
        rolloutStatus("nginx-deployment");
        await(() -> livePods("app=web_server").stream().allMatch(p -> p.at("/spec/containers/0/image").asText().equals("nginx:1.11")),
                "resumed, the new image rolls out");

        Set<String> before = livePods("app=web_server").stream().map(p -> p.path("metadata").path("name").asText()).collect(Collectors.toSet());
        kubectl("rollout", "restart", "deployment/nginx-deployment");
        rolloutStatus("nginx-deployment");
        assertTrue(kubectl("get", "deployment", "nginx-deployment", "-o", "jsonpath={.spec.template.metadata.annotations}")
                .contains("kubectl.kubernetes.io/restartedAt"));
        await(() -> livePods("app=web_server").size() == 4
                && livePods("app=web_server").stream().noneMatch(p -> before.contains(p.path("metadata").path("name").asText())),
                "every pod was replaced");
    }

    @Test
    void aRolloutWithoutUnavailabilityKeepsEveryReplicaReady() throws Exception {
        kubectl("apply", "-f", manifest("steady.yml", deploymentYaml("steady", 3, "1", "0")).toString());
        rolloutStatus("steady");
        await(() -> readyPods("app=steady") == 3, "three ready");
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger lowest = new AtomicInteger(Integer.MAX_VALUE);
        AtomicInteger samples = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                lowest.accumulateAndGet((int) readyPods("app=steady"), Math::min);
                samples.incrementAndGet();
            }
        });
        sampler.start();
        try {
            kubectl("set", "image", "deployment/steady", "c=nginx:1.27");
            rolloutStatus("steady");
            await(() -> livePods("app=steady").stream().allMatch(p -> p.at("/spec/containers/0/image").asText().equals("nginx:1.27"))
                    && livePods("app=steady").size() == 3, "all replaced");
        } finally {
            sampling.set(false);
            sampler.join();
        }
        assertTrue(samples.get() > 10, "sampled " + samples.get() + " times");
        assertEquals(3, lowest.get(), "ready pods never dropped below 3");
    }

    @Test
    void swappingTheDeploymentControllerMidRolloutLosesAndDuplicatesNothing() throws Exception {
        kubectl("apply", "-f", manifest("swapped.yml", deploymentYaml("swapped", 6, "1", "0")).toString());
        rolloutStatus("swapped");
        kubectl("set", "image", "deployment/swapped", "c=nginx:1.27");
        await(() -> kubectl("get", "rs", "-l", "app=swapped", "--no-headers").lines().count() == 2, "the rollout began");

        cluster.swap("io.kubundle.controller.deployment", "kubundle-controller-deployment-", "2.0.0");

        assertTrue(rolloutStatus("swapped").contains("successfully rolled out"));
        await(() -> livePods("app=swapped").size() == 6, "six pods");
        assertTrue(livePods("app=swapped").stream().allMatch(p -> p.at("/spec/containers/0/image").asText().equals("nginx:1.27")));
        assertEquals(2, kubectl("get", "rs", "-l", "app=swapped", "--no-headers").lines().count(), "no ReplicaSet made twice");
        assertEquals("6 0", kubectl("get", "rs", "-l", "app=swapped", "--sort-by=.spec.replicas", "-o",
                "jsonpath={.items[1].spec.replicas} {.items[0].spec.replicas}"));
    }
}
