package io.kubundle.scheduler.internal.plugins;

import static io.kubundle.scheduler.internal.Fixtures.node;
import static io.kubundle.scheduler.internal.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.Status;

class NodeNameTest {
    private final NodeName plugin = new NodeName();

    @Test
    void aPodNamingANodeFitsOnlyThere() {
        var pod = pod("p").toBuilder().nodeName("n1").build();
        assertTrue(plugin.filter(new CycleState(), pod, node("n1")).isSuccess());
        Status other = plugin.filter(new CycleState(), pod, node("n2"));
        assertEquals(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE, other.code());
        assertEquals("node(s) didn't match the requested node name", other.message());
    }

    @Test
    void aPodWithoutANodeNameSkipsTheFilter() {
        assertTrue(plugin.preFilter(new CycleState(), pod("p"), null).status().isSkip());
        assertTrue(plugin.filter(new CycleState(), pod("p"), node("n2")).isSuccess());
    }
}
