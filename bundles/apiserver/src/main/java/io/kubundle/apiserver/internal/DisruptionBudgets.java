package io.kubundle.apiserver.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.meta.LabelSelector;

/**
 * The eviction API's check of PodDisruptionBudgets, computed from the pods as they are now rather
 * than from a budget's status (which a disruption controller would keep): a healthy pod may be
 * evicted only while more pods are healthy than the budget needs; an unhealthy one while the
 * budget is met (or always, with {@code unhealthyPodEvictionPolicy: AlwaysAllow}). The expected
 * pod count is the number of matching pods that have not finished.
 */
final class DisruptionBudgets {
    private DisruptionBudgets() {
    }

    /** Throws 429 if evicting {@code pod} now would break the one budget that covers it (500 if several do). */
    static void checkEviction(ObjectNode pod, List<ObjectNode> budgets, List<ObjectNode> podsInNamespace) throws ApiException {
        String phase = pod.path("status").path("phase").asText("Pending");
        if (phase.equals("Succeeded") || phase.equals("Failed") || phase.equals("Pending") || pod.path("metadata").has("deletionTimestamp")) {
            // nothing to disrupt: such pods are never counted as healthy
            return;
        }
        Map<String, String> labels = labels(pod);
        List<ObjectNode> covering = new ArrayList<>();
        for (ObjectNode budget : budgets) {
            LabelSelector selector = selector(budget.path("spec").path("selector"));
            if (selector != null && selector.matches(labels)) {
                covering.add(budget);
            }
        }
        if (covering.isEmpty()) {
            return;
        }
        if (covering.size() > 1) {
            throw ApiException.internal("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
        }
        ObjectNode budget = covering.get(0);
        LabelSelector selector = selector(budget.path("spec").path("selector"));
        int expected = 0;
        int healthy = 0;
        for (ObjectNode other : podsInNamespace) {
            if (!selector.matches(labels(other))) {
                continue;
            }
            String otherPhase = other.path("status").path("phase").asText("Pending");
            if (otherPhase.equals("Succeeded") || otherPhase.equals("Failed")) {
                continue;
            }
            expected++;
            if (healthy(other)) {
                healthy++;
            }
        }
        int desired = desiredHealthy(budget.path("spec"), expected);
        boolean allowed = healthy(pod) ? healthy - 1 >= desired
                : healthy >= desired || budget.path("spec").path("unhealthyPodEvictionPolicy").asText("").equals("AlwaysAllow");
        if (!allowed) {
            String name = budget.path("metadata").path("name").asText();
            throw ApiException.tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.",
                    List.of(new ApiException.Cause("DisruptionBudget", "",
                            "The disruption budget " + name + " needs " + desired + " healthy pods and has " + healthy + " currently")));
        }
    }

    /** Ready and not being deleted. */
    static boolean healthy(JsonNode pod) {
        if (pod.path("metadata").has("deletionTimestamp")) {
            return false;
        }
        for (JsonNode condition : pod.path("status").path("conditions")) {
            if (condition.path("type").asText().equals("Ready")) {
                return condition.path("status").asText().equals("True");
            }
        }
        return false;
    }

    /** How many pods the budget wants healthy: minAvailable, or expected minus maxUnavailable; percentages round up. */
    static int desiredHealthy(JsonNode spec, int expected) throws ApiException {
        if (spec.has("maxUnavailable")) {
            return Math.max(0, expected - scaled(spec.path("maxUnavailable"), expected, "spec.maxUnavailable"));
        }
        if (spec.has("minAvailable")) {
            return scaled(spec.path("minAvailable"), expected, "spec.minAvailable");
        }
        return 0;
    }

    private static int scaled(JsonNode value, int total, String field) throws ApiException {
        if (value.isIntegralNumber()) {
            return value.asInt();
        }
        String text = value.asText();
        try {
            if (text.endsWith("%")) {
                double percent = Integer.parseInt(text.substring(0, text.length() - 1));
                return (int) Math.ceil(percent * total / 100.0);
            }
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw ApiException.internal("the disruption budget's " + field + " is neither a number nor a percentage: " + text);
        }
    }

    /** A metav1 LabelSelector: null (matches nothing) when absent; {@code {}} matches everything. */
    static LabelSelector selector(JsonNode selector) throws ApiException {
        if (!selector.isObject()) {
            return null;
        }
        List<LabelSelector.Requirement> requirements = new ArrayList<>();
        selector.path("matchLabels").fields().forEachRemaining(entry ->
                requirements.add(new LabelSelector.Requirement(entry.getKey(), LabelSelector.Operator.EQUALS, Set.of(entry.getValue().asText()))));
        for (JsonNode expression : selector.path("matchExpressions")) {
            Set<String> values = new HashSet<>();
            expression.path("values").forEach(value -> values.add(value.asText()));
            LabelSelector.Operator operator = switch (expression.path("operator").asText()) {
                case "In" -> LabelSelector.Operator.IN;
                case "NotIn" -> LabelSelector.Operator.NOT_IN;
                case "Exists" -> LabelSelector.Operator.EXISTS;
                case "DoesNotExist" -> LabelSelector.Operator.DOES_NOT_EXIST;
                default -> throw ApiException.internal("unknown label selector operator " + expression.path("operator").asText());
            };
            requirements.add(new LabelSelector.Requirement(expression.path("key").asText(), operator, Set.copyOf(values)));
        }
        return LabelSelector.of(requirements);
    }

    private static Map<String, String> labels(JsonNode object) {
        Map<String, String> labels = new HashMap<>();
        object.path("metadata").path("labels").fields().forEachRemaining(entry -> labels.put(entry.getKey(), entry.getValue().asText()));
        return labels;
    }
}
