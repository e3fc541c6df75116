package io.kubundle.api.scheduler;

/**
 * A pod's toleration, as Kubernetes matches it against taints.
 *
 * @param key the taint key; empty with operator Exists tolerates every taint
 * @param operator {@code Equal} (default) or {@code Exists}
 * @param value the value for Equal
 * @param effect the effect it tolerates; empty for all
 * @param tolerationSeconds for NoExecute: how long the pod stays after the taint appears, or null
 */
public record Toleration(String key, String operator, String value, String effect, Long tolerationSeconds) {
    public Toleration {
        key = key == null ? "" : key;
        operator = operator == null || operator.isEmpty() ? "Equal" : operator;
        value = value == null ? "" : value;
        effect = effect == null ? "" : effect;
    }

    /** Whether this toleration tolerates the taint (Kubernetes' ToleratesTaint). */
    public boolean tolerates(Taint taint) {
        if (!effect.isEmpty() && !effect.equals(taint.effect())) {
            return false;
        }
        if (!key.isEmpty() && !key.equals(taint.key())) {
            return false;
        }
        return switch (operator) {
            case "Exists" -> true;
            case "Equal" -> value.equals(taint.value());
            default -> false;
        };
    }
}
