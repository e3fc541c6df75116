package io.kubundle.scheduler.internal.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kubundle.api.meta.LabelSelector;
import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.OwnerRef;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.TopologySpreadConstraint;
import io.kubundle.scheduler.internal.Fixtures;
import io.kubundle.scheduler.internal.SnapshotAccess;

class PodTopologySpreadTest {
    private final PodTopologySpread plugin = new PodTopologySpread();

    private static NodeInfo node(String name, String zone, int webPods) {
        NodeInfo node = NodeInfo.builder(name).labels(Map.of("kubernetes.io/hostname", name, "topology.kubernetes.io/zone", zone)).build();
        for (int i = 0; i < webPods; i++) {
            node = node.withPod(PodInfo.builder("default", name + "-web-" + i).labels(Map.of("app", "web")).nodeName(name).build());
        }
        return node;
    }

    private static PodInfo web(String whenUnsatisfiable, String key, int maxSkew) {
        return PodInfo.builder("default", "new").labels(Map.of("app", "web")).topologySpreadConstraints(List.of(
                new TopologySpreadConstraint(maxSkew, key, whenUnsatisfiable, LabelSelector.parse("app=web"), 1))).build();
    }

    @Test
    void doNotScheduleKeepsTheSkewWithinMaxSkew() {
        List<NodeInfo> nodes = List.of(node("a", "z1", 2), node("b", "z1", 1), node("c", "z2", 1));
        PodInfo pod = web(TopologySpreadConstraint.DO_NOT_SCHEDULE, "kubernetes.io/hostname", 1);
        CycleState state = new CycleState();
        assertTrue(plugin.preFilter(state, pod, SnapshotAccess.of(nodes)).status().isSuccess());
        assertEquals("node(s) didn't match pod topology spread constraints", plugin.filter(state, pod, nodes.get(0)).message());
        assertTrue(plugin.filter(state, pod, nodes.get(1)).isSuccess());
        assertTrue(plugin.filter(state, pod, nodes.get(2)).isSuccess());
        NodeInfo unlabeled = NodeInfo.builder("d").build();
        assertEquals("node(s) didn't match pod topology spread constraints (missing required label)",
                plugin.filter(state, pod, unlabeled).message());
    }

    @Test
    void byZone() {
        List<NodeInfo> nodes = List.of(node("a", "z1", 2), node("b", "z1", 1), node("c", "z2", 1));
        PodInfo pod = web(TopologySpreadConstraint.DO_NOT_SCHEDULE, "topology.kubernetes.io/zone", 1);
        CycleState state = new CycleState();
        plugin.preFilter(state, pod, SnapshotAccess.of(nodes));
        assertTrue(plugin.filter(state, pod, nodes.get(1)).isRejected(), "z1 has 3, z2 has 1");
        assertTrue(plugin.filter(state, pod, nodes.get(2)).isSuccess());
        assertTrue(plugin.preFilter(new CycleState(), Fixtures.pod("plain"), SnapshotAccess.of(nodes)).status().isSkip());
    }

    @Test
    void scheduleAnywayScoresTheEmptierDomainHigher() {
        List<NodeInfo> nodes = List.of(node("a", "z1", 3), node("b", "z1", 0));
        PodInfo pod = web(TopologySpreadConstraint.SCHEDULE_ANYWAY, "kubernetes.io/hostname", 1);
        CycleState state = new CycleState();
        assertTrue(plugin.preScore(state, pod, SnapshotAccess.of(nodes), nodes).isSuccess());
        long[] scores = {plugin.score(state, pod, nodes.get(0)), plugin.score(state, pod, nodes.get(1))};
        plugin.normalize(state, pod, nodes, scores);
        assertEquals(0, scores[0]);
        assertEquals(100, scores[1]);
    }

    @Test
    void replicasOfOneControllerSpreadByDefault() {
        OwnerRef rs = new OwnerRef("apps/v1", "ReplicaSet", "web-123", "rs-uid");
        List<NodeInfo> nodes = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            nodes.add(NodeInfo.builder(name).labels(Map.of("kubernetes.io/hostname", name)).build());
        }
        nodes.set(0, nodes.get(0).withPod(PodInfo.builder("default", "web-1").controller(rs).nodeName("a").build())
                .withPod(PodInfo.builder("default", "web-2").controller(rs).nodeName("a").build()));
        nodes.set(1, nodes.get(1).withPod(PodInfo.builder("default", "other").nodeName("b").build()));
        PodInfo replica = PodInfo.builder("default", "web-3").controller(rs).build();
        CycleState state = new CycleState();
        assertTrue(plugin.preScore(state, replica, SnapshotAccess.of(nodes), nodes).isSuccess());
        long[] scores = new long[3];
        for (int i = 0; i < 3; i++) {
            scores[i] = plugin.score(state, replica, nodes.get(i));
        }
        plugin.normalize(state, replica, nodes, scores);
        assertTrue(scores[0] < scores[1] && scores[1] == scores[2], java.util.Arrays.toString(scores));
        assertTrue(plugin.preScore(new CycleState(), Fixtures.pod("bare"), SnapshotAccess.of(nodes), nodes).isSkip(),
                "a pod without a controller is not spread by default");
    }
}
