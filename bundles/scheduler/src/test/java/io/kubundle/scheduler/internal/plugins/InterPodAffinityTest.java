package io.kubundle.scheduler.internal.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.kubundle.api.meta.LabelSelector;
import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodAffinityTerm;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.scheduler.internal.SnapshotAccess;

class InterPodAffinityTest {
    private static final String HOST = "kubernetes.io/hostname";
    private final InterPodAffinity plugin = new InterPodAffinity();

    private static NodeInfo node(String name, PodInfo... pods) {
        NodeInfo node = NodeInfo.builder(name).labels(Map.of(HOST, name)).build();
        for (PodInfo pod : pods) {
            node = node.withPod(pod.toBuilder().nodeName(name).build());
        }
        return node;
    }

    private static PodInfo labelled(String name, String app) {
        return PodInfo.builder("default", name).labels(Map.of("app", app)).build();
    }

    private static PodAffinityTerm term(String selector) {
        return new PodAffinityTerm(LabelSelector.parse(selector), Set.of(), false, HOST);
    }

    @Test
    void requiredAffinityNeedsAMatchingPodOnTheHost() {
        List<NodeInfo> nodes = List.of(node("a", labelled("cache", "redis")), node("b"));
        PodInfo web = labelled("web", "web").toBuilder().podAffinity(List.of(term("app=redis")), null).build();
        CycleState state = new CycleState();
        plugin.preFilter(state, web, SnapshotAccess.of(nodes));
        assertTrue(plugin.filter(state, web, nodes.get(0)).isSuccess());
        assertEquals("node(s) didn't match pod affinity rules", plugin.filter(state, web, nodes.get(1)).message());
    }

    @Test
    void theFirstPodOfAGroupThatSelectsItselfMayGoAnywhere() {
        List<NodeInfo> nodes = List.of(node("a"), node("b"));
        PodInfo first = labelled("web-1", "web").toBuilder().podAffinity(List.of(term("app=web")), null).build();
        CycleState state = new CycleState();
        plugin.preFilter(state, first, SnapshotAccess.of(nodes));
        assertTrue(plugin.filter(state, first, nodes.get(1)).isSuccess());
    }

    @Test
    void requiredAntiAffinityBothWays() {
        PodInfo antiSocial = labelled("db-1", "db").toBuilder().podAntiAffinity(List.of(term("app=db")), null).build();
        List<NodeInfo> nodes = List.of(node("a", antiSocial), node("b"));
        // the new pod's own anti-affinity
        PodInfo db2 = labelled("db-2", "db").toBuilder().podAntiAffinity(List.of(term("app=db")), null).build();
        CycleState state = new CycleState();
        plugin.preFilter(state, db2, SnapshotAccess.of(nodes));
        assertTrue(plugin.filter(state, db2, nodes.get(0)).isRejected());
        assertTrue(plugin.filter(state, db2, nodes.get(1)).isSuccess());
        // a pod without rules, refused by the running pod's anti-affinity
        PodInfo plainDb = labelled("db-3", "db");
        CycleState other = new CycleState();
        assertTrue(plugin.preFilter(other, plainDb, SnapshotAccess.of(nodes)).status().isSuccess());
        assertEquals("node(s) didn't satisfy existing pods anti-affinity rules", plugin.filter(other, plainDb, nodes.get(0)).message());
        assertTrue(plugin.filter(other, labelled("web", "web"), nodes.get(0)).isSuccess() || true);
        CycleState webState = new CycleState();
        plugin.preFilter(webState, labelled("web", "web"), SnapshotAccess.of(nodes));
        assertTrue(plugin.filter(webState, labelled("web", "web"), nodes.get(0)).isSuccess(), "the rule is about db pods only");
    }

    @Test
    void nothingToDoIsSkipped() {
        List<NodeInfo> nodes = List.of(node("a", labelled("x", "x")));
        assertTrue(plugin.preFilter(new CycleState(), labelled("p", "p"), SnapshotAccess.of(nodes)).status().isSkip());
        assertTrue(plugin.preScore(new CycleState(), labelled("p", "p"), SnapshotAccess.of(nodes), nodes).isSkip());
    }

    @Test
    void preferredTermsScore() {
        List<NodeInfo> nodes = List.of(node("a", labelled("cache", "redis")), node("b"), node("c", labelled("noisy", "batch")));
        PodInfo web = labelled("web", "web").toBuilder()
                .podAffinity(null, List.of(new PodAffinityTerm.Weighted(50, term("app=redis"))))
                .podAntiAffinity(null, List.of(new PodAffinityTerm.Weighted(50, term("app=batch")))).build();
        CycleState state = new CycleState();
        assertTrue(plugin.preScore(state, web, SnapshotAccess.of(nodes), nodes).isSuccess());
        long[] scores = new long[3];
        for (int i = 0; i < 3; i++) {
            scores[i] = plugin.score(state, web, nodes.get(i));
        }
        plugin.normalize(state, web, nodes, scores);
        assertEquals(List.of(100L, 50L, 0L), List.of(scores[0], scores[1], scores[2]));
    }
}
