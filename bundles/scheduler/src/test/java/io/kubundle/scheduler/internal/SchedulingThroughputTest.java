package io.kubundle.scheduler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.Resources;
import io.kubundle.api.scheduler.SchedulerPlugin;
import io.kubundle.scheduler.internal.plugins.InterPodAffinity;
import io.kubundle.scheduler.internal.plugins.NodeAffinity;
import io.kubundle.scheduler.internal.plugins.NodeName;
import io.kubundle.scheduler.internal.plugins.NodeResourcesBalancedAllocation;
import io.kubundle.scheduler.internal.plugins.NodeResourcesFit;
import io.kubundle.scheduler.internal.plugins.NodeUnschedulable;
import io.kubundle.scheduler.internal.plugins.PodTopologySpread;
import io.kubundle.scheduler.internal.plugins.TaintToleration;

/**
 * The scheduling cycle alone, without the API: 10,000 pods (100m, 128Mi) onto 1,000 nodes
 * (32 CPUs) with the default profile, each decision assumed in the cache before the next, as the
 * scheduling thread does. Asserts where the pods went (every one placed, spread evenly); it also
 * prints decisions per second for information. Speed is measured by itests/bench/scheduler.sh,
 * not asserted here: CI machines are shared.
 */
class SchedulingThroughputTest {
    static Profile defaultProfile() {
        Map<SchedulerPlugin, Integer> plugins = new LinkedHashMap<>();
        plugins.put(new NodeUnschedulable(), 1);
        plugins.put(new NodeName(), 1);
        plugins.put(new TaintToleration(), 3);
        plugins.put(new NodeAffinity(), 2);
        plugins.put(new NodeResourcesFit(), 1);
        plugins.put(new PodTopologySpread(), 2);
        plugins.put(new InterPodAffinity(), 2);
        plugins.put(new NodeResourcesBalancedAllocation(), 1);
        return Profile.of("default-scheduler", plugins);
    }

    /** Schedules {@code pods} pods onto {@code nodes} nodes; returns the cache they were assumed into. */
    static ClusterCache run(int nodes, int pods) {
        ClusterCache cache = new ClusterCache();
        for (int i = 0; i < nodes; i++) {
            cache.putNode(NodeInfo.builder("sim-" + i).labels(Map.of("kubernetes.io/hostname", "sim-" + i))
                    .allocatable(Resources.of(Map.of("cpu", "32", "memory", "256Gi"))).allowedPods(110).build());
        }
        Profile profile = defaultProfile();
        Framework framework = new Framework(0);
        Resources request = Resources.of(Map.of("cpu", "100m", "memory", "128Mi"));
        PodInfo[] queue = new PodInfo[pods];
        for (int i = 0; i < pods; i++) {
            queue[i] = PodInfo.builder("bench", "bench-" + i).uid("uid-" + i).labels(Map.of("app", "bench")).requests(request).build();
        }
        long start = System.nanoTime();
        for (PodInfo pod : queue) {
            Framework.Decision decision = framework.schedule(profile, pod, cache.snapshot(), new CycleState());
            cache.assume(pod.toBuilder().nodeName(decision.node()).build());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("scheduling cycle, %,d pods onto %,d nodes: %.0f pods/s%n", pods, nodes, pods / seconds);
        return cache;
    }

    @Test
    void tenThousandPodsOntoAThousandNodesAreAllPlacedAndSpreadEvenly() {
        ClusterCache cache = run(1000, 10_000);
        assertEquals(10_000, cache.podCount());
        java.util.IntSummaryStatistics perNode = cache.snapshot().nodes().stream().mapToInt(node -> node.pods().size())
                .summaryStatistics();
        // spreading scores a sample of the nodes (percentageOfNodesToScore), so it is even, not exact
        assertTrue(perNode.getMin() >= 5 && perNode.getMax() <= 20, "replicas of one app spread across the nodes: " + perNode);
    }
}
