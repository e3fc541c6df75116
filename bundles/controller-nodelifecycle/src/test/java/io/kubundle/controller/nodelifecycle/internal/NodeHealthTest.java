package io.kubundle.controller.nodelifecycle.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;

class NodeHealthTest {
    private static final String NOW = "2025-01-01T00:01:00Z";

    private static NodeCondition condition(String type, String status) {
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason("Kubelet").withLastHeartbeatTime("2025-01-01T00:00:00Z")
                .withLastTransitionTime("2025-01-01T00:00:00Z").build();
    }

    private static Taint taint(String key, String effect, String added) {
        return new TaintBuilder().withKey(key).withEffect(effect).withTimeAdded(added).build();
    }

    @Test
    void aHeartbeatOlderThanTheGracePeriodIsStale() {
        Instant beat = Instant.parse("2025-01-01T00:00:00Z");
        Duration grace = Duration.ofSeconds(40);
        assertFalse(NodeHealth.stale(beat, beat.plusSeconds(40), grace));
        assertTrue(NodeHealth.stale(beat, beat.plusSeconds(41), grace));
    }

    @Test
    void aSilentKubeletsConditionsGoUnknown() {
        List<NodeCondition> conditions = List.of(condition("MemoryPressure", "False"), condition("Ready", "True"),
                condition("NetworkUnavailable", "False"));
        List<NodeCondition> unknown = NodeHealth.markedUnknown(conditions, NOW).orElseThrow();
        assertEquals("Unknown", unknown.get(0).getStatus());
        NodeCondition ready = unknown.get(1);
        assertEquals(List.of("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", NOW, "2025-01-01T00:00:00Z"),
                List.of(ready.getStatus(), ready.getReason(), ready.getMessage(), ready.getLastTransitionTime(), ready.getLastHeartbeatTime()));
        assertEquals("False", unknown.get(2).getStatus(), "conditions the kubelet does not own are kept");
        assertEquals(Optional.empty(), NodeHealth.markedUnknown(unknown, NOW), "Unknown already: nothing to write");
    }

    @Test
    void aNodeThatNeverPostedGetsAnUnknownReadyCondition() {
        List<NodeCondition> unknown = NodeHealth.markedUnknown(null, NOW).orElseThrow();
        assertEquals("NodeStatusNeverUpdated", unknown.get(0).getReason());
        assertEquals("Unknown", NodeHealth.readyStatus(null));
    }

    @Test
    void theReadyStatusChoosesTheTaints() {
        List<Taint> unknown = NodeHealth.desiredTaints(null, "Unknown", NOW).orElseThrow();
        assertEquals(List.of(taint(NodeHealth.UNREACHABLE, "NoExecute", NOW), taint(NodeHealth.UNREACHABLE, "NoSchedule", NOW)), unknown);
        List<Taint> notReady = NodeHealth.desiredTaints(unknown, "False", "later").orElseThrow();
        assertEquals(List.of(taint(NodeHealth.NOT_READY, "NoExecute", "later"), taint(NodeHealth.NOT_READY, "NoSchedule", "later")),
                notReady, "unreachable swapped for not-ready");
        assertEquals(Optional.empty(), NodeHealth.desiredTaints(unknown, "Unknown", "later"), "kept, with their timeAdded");
        assertEquals(Optional.of(List.of()), NodeHealth.desiredTaints(unknown, "True", "later"), "Ready again: removed");
        assertEquals(Optional.empty(), NodeHealth.desiredTaints(List.of(), "True", NOW));
    }

    @Test
    void othersTaintsAreLeftAlone() {
        Taint mine = taint("dedicated", "NoSchedule", null);
        Taint sameKeyOtherEffect = taint(NodeHealth.UNREACHABLE, "PreferNoSchedule", null);
        assertEquals(Optional.empty(), NodeHealth.desiredTaints(List.of(mine, sameKeyOtherEffect), "True", NOW));
        assertEquals(List.of(mine, taint(NodeHealth.NOT_READY, "NoExecute", NOW), taint(NodeHealth.NOT_READY, "NoSchedule", NOW)),
                NodeHealth.desiredTaints(List.of(mine), "False", NOW).orElseThrow());
    }
}
