package io.kubundle.scheduler.internal.plugins;

import static io.kubundle.scheduler.internal.Fixtures.node;
import static io.kubundle.scheduler.internal.Fixtures.on;
import static io.kubundle.scheduler.internal.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.NodeInfo;

class NodeResourcesBalancedAllocationTest {
    private final NodeResourcesBalancedAllocation plugin = new NodeResourcesBalancedAllocation();

    @Test
    void balancedUseScoresHigher() {
        NodeInfo balanced = node("a", "4", "4Gi").withPod(on(pod("x", "1", "1Gi"), "a"));
        NodeInfo cpuHeavy = node("b", "4", "4Gi").withPod(on(pod("y", "3", "256Mi"), "b"));
        long a = plugin.score(new CycleState(), pod("p", "1", "1Gi"), balanced);
        long b = plugin.score(new CycleState(), pod("p", "1", "1Gi"), cpuHeavy);
        assertEquals(100, a, "cpu 50%, memory 50%");
        assertTrue(b < a, "cpu 100% against memory 31%: " + b);
        assertEquals(65, b);
    }
}
