package io.kubundle.scheduler.internal.plugins;

import static io.kubundle.scheduler.internal.Fixtures.node;
import static io.kubundle.scheduler.internal.Fixtures.on;
import static io.kubundle.scheduler.internal.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.PostFilterResult;
import io.kubundle.api.scheduler.Status;
import io.kubundle.scheduler.internal.SnapshotAccess;

class DefaultPreemptionTest {
    private final List<String> evicted = new ArrayList<>();
    private final DefaultPreemption plugin = new DefaultPreemption((preemptor, node, victims) -> victims.forEach(v -> evicted.add(node + "/"
            + v.name())));
    private final NodeResourcesFit fit = new NodeResourcesFit();

    private static PodInfo withPriority(String name, String cpu, int priority) {
        return pod(name, cpu, "1Gi").toBuilder().priority(priority).build();
    }

    @Test
    void aHigherPriorityPodEvictsTheFewestLowerOnes() {
        NodeInfo a = node("a", "2", "16Gi").withPod(on(withPriority("low-1", "1", 0), "a")).withPod(on(withPriority("low-2", "1", 0), "a"));
        NodeInfo b = node("b", "2", "16Gi").withPod(on(withPriority("mid", "1500m", 5), "b"));
        PodInfo important = withPriority("important", "1", 10);
        Map<String, Status> statuses = Map.of("a", fit.filter(null, important, a), "b", fit.filter(null, important, b));
        PostFilterResult result = plugin.postFilter(new CycleState(), important, SnapshotAccess.of(List.of(a, b)), statuses, fit);
        assertEquals("a", result.nominatedNodeName(), "one victim on a (the other is given back) against one on b of higher priority");
        assertEquals(1, evicted.size());
        assertTrue(evicted.get(0).startsWith("a/low-"));
    }

    @Test
    void withoutVictimsItSaysWhyPerNode() {
        NodeInfo a = node("a", "1", "16Gi").withPod(on(withPriority("same", "1", 0), "a"));
        PodInfo pod = withPriority("p", "1", 0);
        Map<String, Status> statuses = Map.of("a", fit.filter(null, pod, a), "tainted", Status.unresolvable("node(s) had untolerated taint {x: }"));
        PostFilterResult result = plugin.postFilter(new CycleState(), pod, SnapshotAccess.of(List.of(a)), statuses, fit);
        assertNull(result.nominatedNodeName());
        assertEquals("preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod, "
                + "1 Preemption is not helpful for scheduling.", result.status().message());
        assertTrue(evicted.isEmpty());
    }
}
