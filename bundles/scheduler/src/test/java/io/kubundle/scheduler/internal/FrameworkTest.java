package io.kubundle.scheduler.internal;

import static io.kubundle.scheduler.internal.Fixtures.node;
import static io.kubundle.scheduler.internal.Fixtures.on;
import static io.kubundle.scheduler.internal.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.Filter;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.SchedulerPlugin;
import io.kubundle.api.scheduler.Score;
import io.kubundle.api.scheduler.Status;
import io.kubundle.api.scheduler.Taint;
import io.kubundle.scheduler.internal.plugins.DefaultPreemption;
import io.kubundle.scheduler.internal.plugins.NodeResourcesBalancedAllocation;
import io.kubundle.scheduler.internal.plugins.NodeResourcesFit;
import io.kubundle.scheduler.internal.plugins.NodeUnschedulable;
import io.kubundle.scheduler.internal.plugins.TaintToleration;

class FrameworkTest {
    private static Profile defaults() {
        Map<SchedulerPlugin, Integer> plugins = new LinkedHashMap<>();
        plugins.put(new NodeUnschedulable(), 1);
        plugins.put(new TaintToleration(), 3);
        plugins.put(new NodeResourcesFit(), 1);
        plugins.put(new NodeResourcesBalancedAllocation(), 1);
        plugins.put(new DefaultPreemption((preemptor, node, victims) -> {
        }), 1);
        return Profile.of("default-scheduler", plugins);
    }

    @Test
    void theFailureMessageHasKubeSchedulersShape() {
        NodeInfo master = node("master", "32", "64Gi", new Taint("node-role.kubernetes.io/control-plane", "", Taint.NO_SCHEDULE));
        NodeInfo full1 = node("sim-1", "1", "64Gi").withPod(on(pod("big1", "900m", "1Gi"), "sim-1"));
        NodeInfo full2 = node("sim-2", "1", "64Gi").withPod(on(pod("big2", "900m", "1Gi"), "sim-2"));
        Framework framework = new Framework(0);
        Framework.Decision decision = framework.schedule(defaults(), pod("web", "500m", "1Gi"), Snapshot.of(List.of(master, full1, full2)),
                new CycleState());
        assertFalse(decision.scheduled());
        assertEquals("0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
                + "2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
                + "2 No preemption victims found for incoming pod..", decision.message());
    }

    @Test
    void noNodesAtAll() {
        Framework.Decision decision = new Framework(0).schedule(defaults(), pod("web"), Snapshot.of(List.of()), new CycleState());
        assertEquals("no nodes available to schedule pods", decision.message());
    }

    @Test
    void theLeastAllocatedNodeWins() {
        NodeInfo busy = node("busy", "4", "16Gi").withPod(on(pod("x", "3", "8Gi"), "busy"));
        NodeInfo idle = node("idle", "4", "16Gi");
        Framework.Decision decision = new Framework(0).schedule(defaults(), pod("web", "500m", "1Gi"), Snapshot.of(List.of(busy, idle)),
                new CycleState());
        assertEquals("idle", decision.node());
    }

    @Test
    void manyNodesAreSampledAndTheStartRotates() {
        assertEquals(50, Framework.numFeasibleNodesToFind(0, 50));
        assertEquals(100, Framework.numFeasibleNodesToFind(0, 150));
        assertEquals(420, Framework.numFeasibleNodesToFind(0, 1000), "50% - 1000/125 = 42%");
        assertEquals(500, Framework.numFeasibleNodesToFind(0, 5000), "50% - 40%");
        assertEquals(500, Framework.numFeasibleNodesToFind(0, 10000), "at least 5%");
        assertEquals(1000, Framework.numFeasibleNodesToFind(100, 1000));
        List<NodeInfo> nodes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            nodes.add(node("n" + i));
        }
        Snapshot snapshot = Snapshot.of(nodes);
        Set<String> seen = new HashSet<>();
        int[] filtered = new int[1];
        Filter counting = new Filter() {
            @Override
            public String name() {
                return "Counting";
            }

            @Override
            public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
                filtered[0]++;
                seen.add(node.name());
                return Status.success();
            }
        };
        Profile profile = Profile.of("p", Map.of(counting, 1));
        Framework framework = new Framework(0);
        Framework.Decision first = framework.schedule(profile, pod("a"), snapshot, new CycleState());
        assertEquals(420, first.evaluatedNodes());
        assertEquals(420, filtered[0], "filtering stops once enough nodes fit");
        framework.schedule(profile, pod("b"), snapshot, new CycleState());
        framework.schedule(profile, pod("c"), snapshot, new CycleState());
        assertEquals(1000, seen.size(), "the next attempts start where the last stopped");
    }

    @Test
    void aPreFilterSkipSkipsTheFilterAndScoresAreWeighed() {
        Score prefersB = new Score() {
            @Override
            public String name() {
                return "PrefersB";
            }

            @Override
            public long score(CycleState state, PodInfo pod, NodeInfo node) {
                return node.name().equals("b") ? 100 : 0;
            }
        };
        Map<SchedulerPlugin, Integer> plugins = new LinkedHashMap<>();
        plugins.put(new NodeResourcesFit(), 1);
        plugins.put(prefersB, 5);
        Profile profile = Profile.of("p", plugins);
        NodeInfo a = node("a");
        NodeInfo b = node("b", "32", "256Gi").withPod(on(pod("x", "16", "128Gi"), "b"));
        for (int i = 0; i < 10; i++) {
            assertEquals("b", new Framework(0).schedule(profile, pod("web", "1", "1Gi"), Snapshot.of(List.of(a, b)), new CycleState()).node());
        }
    }

    @Test
    void aScoreOutsideTheRangeIsAnError() {
        Score broken = new Score() {
            @Override
            public String name() {
                return "Broken";
            }

            @Override
            public long score(CycleState state, PodInfo pod, NodeInfo node) {
                return 101;
            }
        };
        Framework.Decision decision = new Framework(0).schedule(Profile.of("p", Map.of(broken, 1)), pod("web"),
                Snapshot.of(List.of(node("a"), node("b"))), new CycleState());
        assertFalse(decision.scheduled());
        assertNotNull(decision.error());
        assertTrue(decision.message().contains("outside [0, 100]"), decision.message());
    }

    @Test
    void aPluginThatThrowsIsAnErrorNotACrash() {
        Filter broken = new Filter() {
            @Override
            public String name() {
                return "Broken";
            }

            @Override
            public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
                throw new IllegalStateException("boom");
            }
        };
        Framework.Decision decision = new Framework(0).schedule(Profile.of("p", Map.of(broken, 1)), pod("web"),
                Snapshot.of(List.of(node("a"))), new CycleState());
        assertEquals(Status.Code.ERROR, decision.error().code());
        assertTrue(decision.message().contains("boom"));
    }
}
