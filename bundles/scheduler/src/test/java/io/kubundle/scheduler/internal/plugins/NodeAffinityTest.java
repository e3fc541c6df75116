package io.kubundle.scheduler.internal.plugins;

import static io.kubundle.scheduler.internal.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.NodeSelectorRequirement;
import io.kubundle.api.scheduler.NodeSelectorTerm;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.Status;

class NodeAffinityTest {
    private final NodeAffinity plugin = new NodeAffinity();
    private final NodeInfo ssd = NodeInfo.builder("ssd").labels(Map.of("disktype", "ssd", "zone", "a", "cores", "16")).build();
    private final NodeInfo hdd = NodeInfo.builder("hdd").labels(Map.of("disktype", "hdd", "zone", "b", "cores", "4")).build();

    @Test
    void nodeSelectorNeedsEveryLabel() {
        PodInfo pod = pod("p").toBuilder().nodeSelector(Map.of("disktype", "ssd")).build();
        assertTrue(plugin.filter(new CycleState(), pod, ssd).isSuccess());
        Status status = plugin.filter(new CycleState(), pod, hdd);
        assertEquals(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE, status.code());
        assertEquals("node(s) didn't match Pod's node affinity/selector", status.message());
        assertTrue(plugin.preFilter(new CycleState(), pod("plain"), null).status().isSkip());
    }

    @Test
    void requiredTermsAreOredAndTheirRequirementsAnded() {
        NodeSelectorTerm zoneA = new NodeSelectorTerm(List.of(new NodeSelectorRequirement("zone", "In", List.of("a"))), null);
        NodeSelectorTerm bigHdd = new NodeSelectorTerm(List.of(new NodeSelectorRequirement("disktype", "NotIn", List.of("ssd")),
                new NodeSelectorRequirement("cores", "Gt", List.of("8"))), null);
        PodInfo pod = pod("p").toBuilder().nodeAffinity(new io.kubundle.api.scheduler.NodeAffinity(List.of(zoneA, bigHdd), null)).build();
        assertTrue(plugin.filter(new CycleState(), pod, ssd).isSuccess());
        assertTrue(plugin.filter(new CycleState(), pod, hdd).isRejected(), "hdd has 4 cores, not more than 8");
        NodeSelectorTerm byName = new NodeSelectorTerm(null, List.of(new NodeSelectorRequirement("metadata.name", "In", List.of("hdd"))));
        PodInfo named = pod("q").toBuilder().nodeAffinity(new io.kubundle.api.scheduler.NodeAffinity(List.of(byName), null)).build();
        assertTrue(plugin.filter(new CycleState(), named, hdd).isSuccess());
        assertTrue(plugin.filter(new CycleState(), named, ssd).isRejected());
    }

    @Test
    void preferredTermsScoreByWeight() {
        NodeSelectorTerm wantsSsd = new NodeSelectorTerm(List.of(new NodeSelectorRequirement("disktype", "In", List.of("ssd"))), null);
        NodeSelectorTerm wantsB = new NodeSelectorTerm(List.of(new NodeSelectorRequirement("zone", "In", List.of("b"))), null);
        PodInfo pod = pod("p").toBuilder().nodeAffinity(new io.kubundle.api.scheduler.NodeAffinity(null, List.of(
                new io.kubundle.api.scheduler.NodeAffinity.Preferred(80, wantsSsd),
                new io.kubundle.api.scheduler.NodeAffinity.Preferred(20, wantsB)))).build();
        long[] scores = {plugin.score(new CycleState(), pod, ssd), plugin.score(new CycleState(), pod, hdd)};
        assertArrayEquals(new long[] {80, 20}, scores);
        plugin.normalize(new CycleState(), pod, List.of(ssd, hdd), scores);
        assertArrayEquals(new long[] {100, 25}, scores);
        assertTrue(plugin.preScore(new CycleState(), pod("plain"), null, List.of()).isSkip());
    }
}
