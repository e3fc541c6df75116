package io.kubundle.scheduler.internal.plugins;

import static io.kubundle.scheduler.internal.Fixtures.node;
import static io.kubundle.scheduler.internal.Fixtures.on;
import static io.kubundle.scheduler.internal.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.Resources;
import io.kubundle.api.scheduler.Status;

class NodeResourcesFitTest {
    private final NodeResourcesFit plugin = new NodeResourcesFit();

    @Test
    void requestsMustFitInWhatIsLeft() {
        NodeInfo node = node("n", "2", "4Gi").withPod(on(pod("a", "1500m", "1Gi"), "n"));
        assertTrue(plugin.filter(new CycleState(), pod("p", "500m", "3Gi"), node).isSuccess());
        Status cpu = plugin.filter(new CycleState(), pod("p", "501m", "1Gi"), node);
        assertEquals(Status.Code.UNSCHEDULABLE, cpu.code());
        assertEquals(List.of("Insufficient cpu"), cpu.reasons());
        assertEquals(List.of("Insufficient cpu", "Insufficient memory"), plugin.filter(new CycleState(), pod("p", "1", "4Gi"), node).reasons());
    }

    @Test
    void assumedPodsCountToo() {
        NodeInfo node = node("n", "1", "4Gi");
        PodInfo first = pod("first", "600m", "1Gi");
        assertTrue(plugin.filter(new CycleState(), first, node).isSuccess());
        NodeInfo withAssumed = node.withPod(on(first, "n"));
        assertEquals("Insufficient cpu", plugin.filter(new CycleState(), pod("second", "600m", "1Gi"), withAssumed).message());
    }

    @Test
    void podCountAndExtendedResources() {
        NodeInfo small = NodeInfo.builder("n").allocatable(Resources.of(Map.of("cpu", "4", "memory", "1Gi", "example.com/gpu", "1")))
                .allowedPods(1).build().withPod(on(pod("a"), "n"));
        PodInfo gpu = pod("g").toBuilder().requests(Resources.of(Map.of("example.com/gpu", "2"))).build();
        assertEquals(List.of("Too many pods", "Insufficient example.com/gpu"), plugin.filter(new CycleState(), gpu, small).reasons());
    }

    @Test
    void leastAllocatedPrefersTheEmptierNode() {
        NodeInfo empty = node("a", "4", "8Gi");
        NodeInfo half = node("b", "4", "8Gi").withPod(on(pod("x", "2", "4Gi"), "b"));
        PodInfo pod = pod("p", "1", "2Gi");
        assertEquals(75, plugin.score(new CycleState(), pod, empty));
        assertEquals(25, plugin.score(new CycleState(), pod, half));
        assertEquals(0, NodeResourcesFit.leastAllocated(5, 4));
    }

    @Test
    void requestsOfZeroCountAsDefaultsWhenScoring() {
        PodInfo none = pod("p");
        assertEquals(100, none.nonZeroMilliCpu());
        assertEquals(200L * 1024 * 1024, none.nonZeroMemory());
        assertTrue(plugin.filter(new CycleState(), none, node("n", "0", "0")).isSuccess(), "but they need nothing to fit");
    }
}
