package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ListOptions;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceKind;
import io.kubundle.itests.support.client.ClientConformance;

/**
 * Kubundle's own client over HTTPS (the kubeconfig {@code up} writes) against {@code up}: the
 * conformance suite (the server restarted as a process) and fabric8's model classes as typed objects.
 */
class KubeClientIT extends ClientConformance {
    static final ResourceKind<Pod> PODS = ResourceKind.of("v1", "Pod", "pods", true, Pod.class);

    @TempDir
    static Path dir;

    static Distribution distribution;
    static KubundleProcess up;
    static int port;
    static KubeClient client;

    @BeforeAll
    static void startUp() throws Exception {
        distribution = Distribution.copyInto(dir);
        port = RolesIT.freePort();
        up = KubundleProcess.start(distribution, dir.resolve("data"), "master", "--port", Integer.toString(port));
        client = KubeClient.fromKubeconfig(dir.resolve("data/kubeconfig"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (up != null) {
            up.close();
        }
    }

    @Override
    protected KubeClient client() {
        return client;
    }

    @Test
    void fabric8ModelClassesAreTheTypedObjects() throws Exception {
        String ns = namespace();
        ResourceClient<Pod> pods = client.resources(PODS);
        Pod pod = new PodBuilder().withNewMetadata().withName("typed").withNamespace(ns).withLabels(Map.of("app", "typed")).endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage("nginx:1.7.9")
                .withNewResources().withRequests(Map.of("cpu", new Quantity("250m"))).endResources().endContainer().endSpec().build();
        Pod created = pods.create(pod);
        assertEquals("typed", created.getMetadata().getName());
        assertEquals("Pending", created.getStatus().getPhase(), "the server defaults the phase");
        assertEquals("Always", created.getSpec().getRestartPolicy(), "and the restart policy");
        Pod read = pods.get(ns, "typed");
        assertEquals(new Quantity("250m"), read.getSpec().getContainers().get(0).getResources().getRequests().get("cpu"));
        assertEquals(List.of("typed"), pods.list(ns, ListOptions.labels("app=typed")).items().stream()
                .map(p -> p.getMetadata().getName()).toList());
    }

    @Override
    protected void restartServer() throws Exception {
        up.stop();
        up = KubundleProcess.start(distribution, dir.resolve("data"), "master", "--port", Integer.toString(port));
    }
}
