package io.kubundle.scheduler.internal;

import java.util.List;
import java.util.Map;

import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.Resources;
import io.kubundle.api.scheduler.Taint;

/** Nodes and pods for tests. */
public final class Fixtures {
    private Fixtures() {
    }

    public static NodeInfo node(String name, String cpu, String memory, Taint... taints) {
        return NodeInfo.builder(name).labels(Map.of("kubernetes.io/hostname", name))
                .allocatable(Resources.of(Map.of("cpu", cpu, "memory", memory))).allowedPods(110).taints(List.of(taints)).build();
    }

    public static NodeInfo node(String name) {
        return node(name, "32", "256Gi");
    }

    public static PodInfo pod(String name, String cpu, String memory) {
        Resources requests = Resources.of(cpu == null ? Map.of() : Map.of("cpu", cpu, "memory", memory));
        return PodInfo.builder("default", name).uid(name).requests(requests).build();
    }

    public static PodInfo pod(String name) {
        return PodInfo.builder("default", name).uid(name).build();
    }

    public static PodInfo on(PodInfo pod, String node) {
        return pod.toBuilder().nodeName(node).build();
    }
}
