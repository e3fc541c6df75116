package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class DisruptionBudgetsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode pod(String name, boolean ready) {
        ObjectNode pod = JSON.createObjectNode();
        pod.putObject("metadata").put("name", name).putObject("labels").put("app", "web");
        ObjectNode status = pod.putObject("status").put("phase", "Running");
        status.putArray("conditions").addObject().put("type", "Ready").put("status", ready ? "True" : "False");
        return pod;
    }

    private static ObjectNode budget(String field, Object value) {
        ObjectNode budget = JSON.createObjectNode();
        budget.putObject("metadata").put("name", "web-pdb");
        ObjectNode spec = budget.putObject("spec");
        spec.putObject("selector").putObject("matchLabels").put("app", "web");
        if (value instanceof Integer number) {
            spec.put(field, number);
        } else {
            spec.put(field, value.toString());
        }
        return budget;
    }

    private static List<ObjectNode> pods(int ready, int notReady) {
        List<ObjectNode> pods = new ArrayList<>();
        for (int i = 0; i < ready; i++) {
            pods.add(pod("ready-" + i, true));
        }
        for (int i = 0; i < notReady; i++) {
            pods.add(pod("sick-" + i, false));
        }
        return pods;
    }

    @Test
    void minAvailableLeavesRoomForOneEvictionOnly() {
        List<ObjectNode> three = pods(3, 0);
        assertDoesNotThrow(() -> DisruptionBudgets.checkEviction(three.get(0), List.of(budget("minAvailable", 2)), three));
        List<ObjectNode> two = pods(2, 0);
        ApiException refused = assertThrows(ApiException.class,
                () -> DisruptionBudgets.checkEviction(two.get(0), List.of(budget("minAvailable", 2)), two));
        assertEquals(429, refused.code());
        assertEquals("TooManyRequests", refused.reason());
        assertEquals("The disruption budget web-pdb needs 2 healthy pods and has 2 currently",
                refused.toStatus().path("details").path("causes").path(0).path("message").asText());
        assertTrue(!refused.toStatus().path("details").path("causes").path(0).has("field"), "a budget is no field");
    }

    @Test
    void percentagesRoundUp() throws Exception {
        // 50% of 3 is 1.5: 2 must stay healthy
        assertEquals(2, DisruptionBudgets.desiredHealthy(budget("minAvailable", "50%").path("spec"), 3));
        // maxUnavailable 34% of 3 rounds up to 2 unavailable: 1 must stay
        assertEquals(1, DisruptionBudgets.desiredHealthy(budget("maxUnavailable", "34%").path("spec"), 3));
        assertEquals(2, DisruptionBudgets.desiredHealthy(budget("maxUnavailable", 1).path("spec"), 3));
    }

    @Test
    void unhealthyPodsMayGoWhileTheBudgetIsMet() {
        List<ObjectNode> pods = pods(2, 1);
        ObjectNode sick = pods.get(2);
        assertDoesNotThrow(() -> DisruptionBudgets.checkEviction(sick, List.of(budget("minAvailable", 2)), pods));
        assertThrows(ApiException.class, () -> DisruptionBudgets.checkEviction(sick, List.of(budget("minAvailable", 3)), pods),
                "the budget is not met: IfHealthyBudget keeps even the unhealthy pod");
        ObjectNode alwaysAllow = budget("minAvailable", 3);
        ((ObjectNode) alwaysAllow.path("spec")).put("unhealthyPodEvictionPolicy", "AlwaysAllow");
        assertDoesNotThrow(() -> DisruptionBudgets.checkEviction(sick, List.of(alwaysAllow), pods));
    }

    @Test
    void podsOutsideTheSelectorOrFinishedAreNotCovered() {
        List<ObjectNode> pods = pods(1, 0);
        ObjectNode other = pod("other", true);
        ((ObjectNode) other.path("metadata").path("labels")).put("app", "db");
        assertDoesNotThrow(() -> DisruptionBudgets.checkEviction(other, List.of(budget("minAvailable", 5)), pods));
        ObjectNode done = pod("done", false);
        ((ObjectNode) done.path("status")).put("phase", "Succeeded");
        assertDoesNotThrow(() -> DisruptionBudgets.checkEviction(done, List.of(budget("minAvailable", 5)), pods));
    }

    @Test
    void twoBudgetsForOnePodAreRefused() {
        List<ObjectNode> pods = pods(3, 0);
        ApiException refused = assertThrows(ApiException.class,
                () -> DisruptionBudgets.checkEviction(pods.get(0), List.of(budget("minAvailable", 1), budget("minAvailable", 1)), pods));
        assertEquals(500, refused.code());
    }

    @Test
    void selectorsWithExpressionsAndTheEmptySelector() throws Exception {
        ObjectNode selector = JSON.createObjectNode();
        selector.putArray("matchExpressions").addObject().put("key", "app").put("operator", "In").putArray("values").add("web");
        assertTrue(DisruptionBudgets.selector(selector).matches(java.util.Map.of("app", "web")));
        assertTrue(!DisruptionBudgets.selector(selector).matches(java.util.Map.of("app", "db")));
        assertTrue(DisruptionBudgets.selector(JSON.createObjectNode()).matches(java.util.Map.of("any", "thing")), "{} selects all");
        assertEquals(null, DisruptionBudgets.selector(JSON.missingNode()), "no selector selects nothing");
    }
}
