package io.kubundle.controller.daemonset.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;

class NodeEligibilityTest {
    private static Node node(Map<String, String> labels, Taint... taints) {
        return new NodeBuilder().withNewMetadata().withName("n1").withLabels(labels).endMetadata().withNewSpec().withTaints(taints)
                .endSpec().build();
    }

    private static Taint taint(String key, String effect) {
        return new TaintBuilder().withKey(key).withValue("true").withEffect(effect).build();
    }

    private static final PodSpec PLAIN = new PodSpecBuilder().build();

    @Test
    void aPlainTemplateRunsOnEveryUntaintedNode() {
        assertEquals(new NodeEligibility.Verdict(true, true), NodeEligibility.of(node(Map.of()), PLAIN));
    }

    @Test
    void theNodeSelectorMustMatchTheLabels() {
        PodSpec ssd = new PodSpecBuilder().withNodeSelector(Map.of("disktype", "ssd")).build();
        assertTrue(NodeEligibility.of(node(Map.of("disktype", "ssd")), ssd).shouldRun());
        assertEquals(NodeEligibility.Verdict.NO, NodeEligibility.of(node(Map.of("disktype", "hdd")), ssd));
        assertEquals(NodeEligibility.Verdict.NO, NodeEligibility.of(node(Map.of()), ssd));
    }

    @Test
    void requiredNodeAffinityTermsAreOredAndTheirExpressionsAnded() {
        PodSpec affinity = new PodSpecBuilder().withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().withMatchExpressions(
                        new NodeSelectorRequirementBuilder().withKey("zone").withOperator("In").withValues("a", "b").build(),
                        new NodeSelectorRequirementBuilder().withKey("gpu").withOperator("DoesNotExist").build()).endNodeSelectorTerm()
                .addNewNodeSelectorTerm().withMatchFields(
                        new NodeSelectorRequirementBuilder().withKey("metadata.name").withOperator("In").withValues("n1").build())
                .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().build();
        assertTrue(NodeEligibility.selects(affinity, node(Map.of("zone", "a"))));
        assertTrue(NodeEligibility.selects(affinity, node(Map.of("zone", "c"))), "the second term names the node");
        Node other = new NodeBuilder(node(Map.of("zone", "a", "gpu", "1"))).editMetadata().withName("n2").endMetadata().build();
        assertFalse(NodeEligibility.selects(affinity, other));
        assertTrue(NodeEligibility.matches(new NodeSelectorRequirementBuilder().withOperator("Gt").withValues("3").build(), "4"));
        assertFalse(NodeEligibility.matches(new NodeSelectorRequirementBuilder().withOperator("Lt").withValues("3").build(), "x"));
    }

    @Test
    void untoleratedNoScheduleKeepsNewPodsOffButLetsOneStayAndNoExecuteRemovesIt() {
        assertEquals(new NodeEligibility.Verdict(false, true), NodeEligibility.of(node(Map.of(), taint("dedicated", "NoSchedule")), PLAIN));
        assertEquals(NodeEligibility.Verdict.NO, NodeEligibility.of(node(Map.of(), taint("dedicated", "NoExecute")), PLAIN));
        assertTrue(NodeEligibility.of(node(Map.of(), taint("dedicated", "PreferNoSchedule")), PLAIN).shouldRun());
    }

    @Test
    void tolerationsMatchByKeyValueAndEffect() {
        PodSpec tolerates = new PodSpecBuilder().withTolerations(new TolerationBuilder().withKey("dedicated").withOperator("Equal")
                .withValue("true").withEffect("NoSchedule").build()).build();
        assertTrue(NodeEligibility.of(node(Map.of(), taint("dedicated", "NoSchedule")), tolerates).shouldRun());
        assertFalse(NodeEligibility.of(node(Map.of(), taint("dedicated", "NoExecute")), tolerates).shouldContinueRunning());
        PodSpec everything = new PodSpecBuilder().withTolerations(new TolerationBuilder().withOperator("Exists").build()).build();
        assertTrue(NodeEligibility.of(node(Map.of(), taint("x", "NoExecute"), taint("y", "NoSchedule")), everything).shouldRun());
        Taint otherValue = new TaintBuilder().withKey("dedicated").withValue("db").withEffect("NoSchedule").build();
        assertFalse(NodeEligibility.tolerated(otherValue, tolerates.getTolerations()));
    }

    @Test
    void daemonPodsTolerateTheNodeConditionTaintsAndUnschedulable() {
        for (String key : List.of("node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure",
                "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable")) {
            assertTrue(NodeEligibility.of(node(Map.of(), taint(key, "NoSchedule")), PLAIN).shouldRun(), key);
        }
        for (String key : List.of("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")) {
            assertTrue(NodeEligibility.of(node(Map.of(), taint(key, "NoExecute")), PLAIN).shouldRun(), key);
        }
        assertFalse(NodeEligibility.of(node(Map.of(), taint("node-role.kubernetes.io/control-plane", "NoSchedule")), PLAIN).shouldRun());
        assertEquals(6, DaemonPods.withDefaultTolerations(null).size());
    }
}
