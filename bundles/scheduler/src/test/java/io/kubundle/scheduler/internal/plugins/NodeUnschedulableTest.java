package io.kubundle.scheduler.internal.plugins;

import static io.kubundle.scheduler.internal.Fixtures.node;
import static io.kubundle.scheduler.internal.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.Toleration;

class NodeUnschedulableTest {
    private final NodeUnschedulable plugin = new NodeUnschedulable();
    private final NodeInfo cordoned = node("n1").toBuilder().unschedulable(true).build();

    @Test
    void aCordonedNodeTakesNoPods() {
        assertEquals("node(s) were unschedulable", plugin.filter(new CycleState(), pod("p"), cordoned).message());
        assertTrue(plugin.filter(new CycleState(), pod("p"), node("n2")).isSuccess());
    }

    @Test
    void unlessThePodToleratesTheUnschedulableTaint() {
        var tolerant = pod("p").toBuilder().tolerations(List.of(new Toleration("node.kubernetes.io/unschedulable", "Exists", "",
                "NoSchedule", null))).build();
        assertTrue(plugin.filter(new CycleState(), tolerant, cordoned).isSuccess());
    }
}
