package io.kubundle.controller.nodelifecycle.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kubundle.api.admission.AdmissionRequest;
import io.kubundle.api.admission.AdmissionRequest.Operation;

class DefaultTolerationSecondsTest {
    private final DefaultTolerationSeconds admission = new DefaultTolerationSeconds(300, 300);

    private static Map<String, Object> pod(List<Map<String, Object>> tolerations) {
        Map<String, Object> spec = new LinkedHashMap<>();
        if (tolerations != null) {
            spec.put("tolerations", new ArrayList<>(tolerations));
        }
        return new LinkedHashMap<>(Map.of("spec", spec));
    }

    private static Object tolerations(Map<String, Object> pod) {
        return ((Map<?, ?>) pod.get("spec")).get("tolerations");
    }

    private void admit(Operation operation, String kind, Map<String, Object> object) {
        admission.admit(new AdmissionRequest(operation, "v1", kind, "default", "p", object, null, "admin"));
    }

    @Test
    void addsBothTolerationsWithThreeHundredSeconds() {
        Map<String, Object> pod = pod(null);
        admit(Operation.CREATE, "Pod", pod);
        assertEquals(List.of(Map.of("key", "node.kubernetes.io/not-ready", "operator", "Exists", "effect", "NoExecute", "tolerationSeconds", 300L),
                Map.of("key", "node.kubernetes.io/unreachable", "operator", "Exists", "effect", "NoExecute", "tolerationSeconds", 300L)),
                tolerations(pod));
    }

    @Test
    void keepsAPodsOwnTolerationAndIsIdempotent() {
        Map<String, Object> forever = Map.of("key", "node.kubernetes.io/unreachable", "operator", "Exists", "effect", "NoExecute");
        Map<String, Object> pod = pod(List.of(forever));
        admit(Operation.CREATE, "Pod", pod);
        admit(Operation.CREATE, "Pod", pod);
        assertEquals(List.of(forever,
                Map.of("key", "node.kubernetes.io/not-ready", "operator", "Exists", "effect", "NoExecute", "tolerationSeconds", 300L)),
                tolerations(pod));
    }

    @Test
    void aTolerationOfEverythingCoversBoth() {
        Map<String, Object> pod = pod(List.of(Map.of("operator", "Exists")));
        admit(Operation.CREATE, "Pod", pod);
        assertEquals(List.of(Map.of("operator", "Exists")), tolerations(pod));
    }

    @Test
    void leavesUpdatesAndOtherKindsAlone() {
        Map<String, Object> pod = pod(null);
        admit(Operation.UPDATE, "Pod", pod);
        admit(Operation.CREATE, "ConfigMap", pod);
        assertEquals(null, tolerations(pod));
    }

    @Test
    void theGracePeriodIsTheFlagElseTheConfiguration() {
        assertEquals(Duration.ofSeconds(5), NodeLifecycleComponent.gracePeriod("5s", "40s"));
        assertEquals(Duration.ofSeconds(40), NodeLifecycleComponent.gracePeriod(null, "40s"));
        assertEquals(Duration.ofSeconds(90), NodeLifecycleComponent.gracePeriod("", "1m30s"));
    }
}
