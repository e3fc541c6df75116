package io.kubundle.controller.daemonset.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;

class DaemonSetPlanTest {
    private static final NodeEligibility.Verdict RUN = new NodeEligibility.Verdict(true, true);
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    private static Pod pod(String name, String node, String hash, boolean ready) {
        return new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp("2024-12-31T00:00:0" + name.length() + "Z")
                .withLabels(Map.of("controller-revision-hash", hash)).endMetadata().withNewSpec().withNodeName(node).endSpec()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                .endCondition().endStatus().build();
    }

    private static DaemonSetPlan.Plan plan(List<DaemonSetPlan.NodeState> nodes, int maxUnavailable) {
        return DaemonSetPlan.plan(nodes, List.of(), "new", true, maxUnavailable, Duration.ZERO, NOW);
    }

    @Test
    void eligibleNodesWithoutAPodGetOneAndIneligibleOnesLoseTheirs() {
        DaemonSetPlan.Plan plan = plan(List.of(new DaemonSetPlan.NodeState("a", RUN, List.of()),
                new DaemonSetPlan.NodeState("b", NodeEligibility.Verdict.NO, List.of(pod("p", "b", "new", true))),
                new DaemonSetPlan.NodeState("c", new NodeEligibility.Verdict(false, true), List.of(pod("q", "c", "new", true)))), 1);
        assertEquals(List.of("a"), plan.createOn());
        assertEquals(List.of("p"), plan.delete().stream().map(p -> p.getMetadata().getName()).toList(), "NoSchedule lets q stay");
    }

    @Test
    void aSecondPodOnANodeGoesTheOldestStays() {
        DaemonSetPlan.Plan plan = plan(List.of(new DaemonSetPlan.NodeState("a", RUN,
                List.of(pod("young", "a", "new", true), pod("old", "a", "new", true)))), 1);
        assertEquals(List.of("young"), plan.delete().stream().map(p -> p.getMetadata().getName()).toList());
        assertTrue(plan.createOn().isEmpty());
    }

    @Test
    void aRollingUpdateReplacesAtMostMaxUnavailableAvailablePodsAndUnavailableOldOnesFreely() {
        List<DaemonSetPlan.NodeState> nodes = List.of(new DaemonSetPlan.NodeState("a", RUN, List.of(pod("pa", "a", "old", true))),
                new DaemonSetPlan.NodeState("b", RUN, List.of(pod("pb", "b", "old", true))),
                new DaemonSetPlan.NodeState("c", RUN, List.of(pod("pc", "c", "old", false))),
                new DaemonSetPlan.NodeState("d", RUN, List.of(pod("pd", "d", "new", true))));
        assertEquals(List.of("pc"), plan(nodes, 1).delete().stream().map(p -> p.getMetadata().getName()).toList(),
                "one unavailable already uses the budget");
        assertEquals(List.of("pc", "pa"), plan(nodes, 2).delete().stream().map(p -> p.getMetadata().getName()).toList());
        assertTrue(DaemonSetPlan.plan(nodes, List.of(), "new", false, 2, Duration.ZERO, NOW).delete().isEmpty(), "OnDelete waits");
    }

    @Test
    void statusCountsFollowKubernetes() {
        DaemonSetPlan.Counts counts = DaemonSetPlan.count(List.of(new DaemonSetPlan.NodeState("a", RUN, List.of(pod("pa", "a", "old", true))),
                new DaemonSetPlan.NodeState("b", RUN, List.of(pod("pb", "b", "new", false))),
                new DaemonSetPlan.NodeState("c", RUN, List.of()),
                new DaemonSetPlan.NodeState("d", NodeEligibility.Verdict.NO, List.of(pod("pd", "d", "new", true)))), "new", Duration.ZERO, NOW);
        assertEquals(new DaemonSetPlan.Counts(3, 2, 1, 1, 1, 1), counts);
    }

    @Test
    void maxUnavailableIsAnIntOrAPercentageRoundedUpAndAtLeastOne() {
        assertEquals(1, DaemonPods.maxUnavailable(null, 10));
        assertEquals(3, DaemonPods.maxUnavailable(new IntOrString(3), 10));
        assertEquals(3, DaemonPods.maxUnavailable(new IntOrString("25%"), 10));
        assertEquals(1, DaemonPods.maxUnavailable(new IntOrString(0), 10));
    }

    @Test
    void aDaemonPodIsBoundToItsNodeByNameAndAffinityWithTheDefaultTolerations() {
        DaemonSet set = new DaemonSetBuilder().withNewMetadata().withName("fluentd").withNamespace("kube-system").withUid("u1")
                .endMetadata().build();
        set.setApiVersion("apps/v1");
        set.setKind("DaemonSet");
        Pod pod = DaemonPods.forNode(set, new PodTemplateSpecBuilder().withNewMetadata().withLabels(Map.of("app", "f")).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("fluentd").endContainer().endSpec().build(), "h1", "sim-2");
        assertEquals("sim-2", pod.getSpec().getNodeName());
        assertEquals("sim-2", DaemonPods.nodeOf(new PodBuilder(pod).editSpec().withNodeName(null).endSpec().build()));
        assertEquals(Map.of("app", "f", "controller-revision-hash", "h1"), pod.getMetadata().getLabels());
        assertEquals(6, pod.getSpec().getTolerations().size());
        assertEquals("u1", pod.getMetadata().getOwnerReferences().get(0).getUid());
        assertTrue(pod.getMetadata().getOwnerReferences().get(0).getController());
    }
}
