package io.kubundle.controller.nodelifecycle.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;

class TolerationsTest {
    private static final Taint UNREACHABLE = new TaintBuilder().withKey(NodeHealth.UNREACHABLE).withEffect("NoExecute").build();
    private static final Taint CUSTOM = new TaintBuilder().withKey("dedicated").withValue("gpu").withEffect("NoExecute").build();

    private static Toleration toleration(String key, String operator, String value, String effect, Long seconds) {
        return new TolerationBuilder().withKey(key).withOperator(operator).withValue(value).withEffect(effect)
                .withTolerationSeconds(seconds).build();
    }

    @Test
    void matchesAsKubernetesDoes() {
        assertTrue(Tolerations.tolerates(toleration(NodeHealth.UNREACHABLE, "Exists", null, "NoExecute", null), UNREACHABLE));
        assertTrue(Tolerations.tolerates(toleration(null, "Exists", null, null, null), CUSTOM), "empty key with Exists tolerates all");
        assertTrue(Tolerations.tolerates(toleration("dedicated", null, "gpu", null, null), CUSTOM), "Equal is the default operator");
        assertFalse(Tolerations.tolerates(toleration("dedicated", "Equal", "cpu", null, null), CUSTOM), "values differ");
        assertFalse(Tolerations.tolerates(toleration("dedicated", "Exists", null, "NoSchedule", null), CUSTOM), "effects differ");
        assertFalse(Tolerations.tolerates(toleration("other", "Exists", null, null, null), CUSTOM), "keys differ");
    }

    @Test
    void anUntoleratedTaintEvictsAtOnce() {
        assertEquals(Optional.of(Duration.ZERO), Tolerations.allowedStay(List.of(UNREACHABLE), List.of()));
        assertEquals(Optional.of(Duration.ZERO), Tolerations.allowedStay(List.of(UNREACHABLE, CUSTOM),
                List.of(toleration(NodeHealth.UNREACHABLE, "Exists", null, "NoExecute", null))), "one of two taints untolerated");
    }

    @Test
    void tolerationSecondsBoundTheStay() {
        assertEquals(Optional.of(Duration.ofSeconds(300)), Tolerations.allowedStay(List.of(UNREACHABLE),
                List.of(toleration(NodeHealth.UNREACHABLE, "Exists", null, "NoExecute", 300L))));
        assertEquals(Optional.empty(), Tolerations.allowedStay(List.of(UNREACHABLE),
                List.of(toleration(NodeHealth.UNREACHABLE, "Exists", null, "NoExecute", null))), "no seconds: for ever");
        assertEquals(Optional.of(Duration.ZERO), Tolerations.allowedStay(List.of(UNREACHABLE),
                List.of(toleration(NodeHealth.UNREACHABLE, "Exists", null, "NoExecute", -5L))), "zero or less: now");
        assertEquals(Optional.of(Duration.ofSeconds(2)), Tolerations.allowedStay(List.of(UNREACHABLE, CUSTOM),
                List.of(toleration(NodeHealth.UNREACHABLE, "Exists", null, null, 2L), toleration("dedicated", "Exists", null, null, 60L))),
                "the least over the tolerations used");
    }

    @Test
    void theFirstMatchingTolerationIsTheOneUsed() {
        assertEquals(Optional.empty(), Tolerations.allowedStay(List.of(UNREACHABLE),
                List.of(toleration(null, "Exists", null, null, null), toleration(NodeHealth.UNREACHABLE, "Exists", null, null, 5L))));
    }

    @Test
    void theStayCountsFromWhenTheNodeWasTainted() {
        Instant tainted = Instant.parse("2025-01-01T00:00:00Z");
        assertEquals(Optional.of(tainted.plusSeconds(2)), Tolerations.evictionTime(List.of(UNREACHABLE),
                List.of(toleration(NodeHealth.UNREACHABLE, "Exists", null, "NoExecute", 2L)), tainted));
        assertEquals(Optional.empty(), Tolerations.evictionTime(List.of(), List.of(), tainted), "no NoExecute taint: never");
    }
}
