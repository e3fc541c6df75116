package io.kubundle.scheduler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
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
 * scheduling thread does. Prints decisions per second; fails only far below the goal (3,000/s),
 * since CI machines are shared.
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

    /** Schedules {@code pods} pods onto {@code nodes} nodes; returns decisions per second. */
    static double run(int nodes, int pods) {
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
        assertEquals(pods, cache.podCount());
        return pods / seconds;
    }

    @Test
    void tenThousandPodsOntoAThousandNodes() {
        run(1000, 2000); // warm-up: the JIT
        double[] rates = new double[3];
        for (int i = 0; i < rates.length; i++) {
            rates[i] = run(1000, 10_000);
        }
        Arrays.sort(rates);
        System.out.printf("scheduling cycle, 10,000 pods onto 1,000 nodes: %.0f pods/s (median of 3: %s)%n", rates[1],
                Arrays.toString(Arrays.stream(rates).mapToLong(Math::round).toArray()));
        assertTrue(rates[1] > 500, "far below the 3,000 pods/s goal: " + rates[1]);
    }
}
