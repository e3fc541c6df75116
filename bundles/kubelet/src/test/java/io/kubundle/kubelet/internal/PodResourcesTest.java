package io.kubundle.kubelet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubundle.api.runtime.Resources;

class PodResourcesTest {
    private static Pod pod(ContainerBuilder... containers) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec().endSpec();
        for (ContainerBuilder container : containers) {
            pod.editSpec().addToContainers(container.build()).endSpec();
        }
        return pod.build();
    }

    private static ContainerBuilder container(String cpuRequest, String cpuLimit, String memoryLimit) {
        ContainerBuilder container = new ContainerBuilder().withName("c" + System.nanoTime()).withNewResources().endResources();
        if (cpuRequest != null) {
            container.editResources().addToRequests("cpu", new Quantity(cpuRequest)).endResources();
        }
        if (cpuLimit != null) {
            container.editResources().addToLimits("cpu", new Quantity(cpuLimit)).endResources();
        }
        if (memoryLimit != null) {
            container.editResources().addToLimits("memory", new Quantity(memoryLimit)).endResources();
        }
        return container;
    }

    @Test
    void thePodCgroupGetsTheSumOfRequestsAndLimitsOnlyWhenAllAreLimited() {
        assertEquals(new Resources(1024 + 512, 150_000, 100_000, (64L + 32) << 20),
                PodSyncer.podResources(pod(container("1", "1", "64Mi"), container("500m", "500m", "32Mi"))));
        assertEquals(new Resources(256, 0, 0, 0), PodSyncer.podResources(pod(container("250m", "1", "64Mi"), container(null, null, null))),
                "one container without limits leaves the pod unlimited");
        assertEquals(Resources.NONE, PodSyncer.podResources(pod(container(null, null, null))), "best effort: 2 shares, as Kubernetes");
    }
}
