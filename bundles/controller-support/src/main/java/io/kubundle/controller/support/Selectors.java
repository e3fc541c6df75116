package io.kubundle.controller.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.kubundle.api.meta.LabelSelector.Operator;
import io.kubundle.api.meta.LabelSelector.Requirement;

/** metav1 label selectors (a controller's {@code spec.selector}) as Kubernetes evaluates them. */
public final class Selectors {
    private Selectors() {
    }

    /** The selector as one that can be evaluated; null (matches nothing) for a null selector; {@code {}} matches everything. */
    public static io.kubundle.api.meta.LabelSelector of(LabelSelector selector) {
        if (selector == null) {
            return null;
        }
        List<Requirement> requirements = new ArrayList<>();
        if (selector.getMatchLabels() != null) {
            selector.getMatchLabels().forEach((key, value) -> requirements.add(new Requirement(key, Operator.EQUALS, Set.of(value))));
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement expression : selector.getMatchExpressions()) {
                Set<String> values = expression.getValues() == null ? Set.of() : Set.copyOf(expression.getValues());
                Operator operator = switch (expression.getOperator()) {
                    case "In" -> Operator.IN;
                    case "NotIn" -> Operator.NOT_IN;
                    case "Exists" -> Operator.EXISTS;
                    case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
                    default -> throw new IllegalArgumentException("unknown label selector operator " + expression.getOperator());
                };
                requirements.add(new Requirement(expression.getKey(), operator, values));
            }
        }
        return io.kubundle.api.meta.LabelSelector.of(requirements);
    }

    /** Whether the selector selects the labels (a null selector selects nothing). */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        io.kubundle.api.meta.LabelSelector compiled = of(selector);
        return compiled != null && compiled.matches(labels == null ? Map.of() : labels);
    }

    /** The selector in the query syntax ({@code app=web,tier in (a,b)}), for a list's labelSelector. */
    public static String toQuery(LabelSelector selector) {
        List<String> terms = new ArrayList<>();
        if (selector.getMatchLabels() != null) {
            selector.getMatchLabels().forEach((key, value) -> terms.add(key + "=" + value));
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement expression : selector.getMatchExpressions()) {
                String values = expression.getValues() == null ? "" : String.join(",", expression.getValues());
                terms.add(switch (expression.getOperator()) {
                    case "In" -> expression.getKey() + " in (" + values + ")";
                    case "NotIn" -> expression.getKey() + " notin (" + values + ")";
                    case "Exists" -> expression.getKey();
                    case "DoesNotExist" -> "!" + expression.getKey();
                    default -> throw new IllegalArgumentException("unknown label selector operator " + expression.getOperator());
                });
            }
        }
        return String.join(",", terms);
    }
}
