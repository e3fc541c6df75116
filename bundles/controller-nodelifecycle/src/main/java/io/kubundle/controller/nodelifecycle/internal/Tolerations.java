package io.kubundle.controller.nodelifecycle.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;

/** Which tolerations tolerate which taints, and when a pod on a NoExecute-tainted node must go, as Kubernetes decides. */
final class Tolerations {
    static final String NO_EXECUTE = "NoExecute";

    private Tolerations() {
    }

    /**
     * Kubernetes' {@code ToleratesTaint}: the effects match (or the toleration names none), the keys
     * match (or, with {@code Exists}, it names none), and with {@code Equal} (the default) the values match.
     */
    static boolean tolerates(Toleration toleration, Taint taint) {
        if (!empty(toleration.getEffect()) && !toleration.getEffect().equals(taint.getEffect())) {
            return false;
        }
        if (!empty(toleration.getKey()) && !toleration.getKey().equals(taint.getKey())) {
            return false;
        }
        String operator = empty(toleration.getOperator()) ? "Equal" : toleration.getOperator();
        return switch (operator) {
            case "Exists" -> true;
            case "Equal" -> nullToEmpty(toleration.getValue()).equals(nullToEmpty(taint.getValue()));
            default -> false;
        };
    }

    /**
     * How long a pod may stay on a node with these NoExecute taints: empty if for ever; zero if it
     * must go now (a taint it does not tolerate, or a {@code tolerationSeconds} of zero or less);
     * otherwise the least {@code tolerationSeconds} of the first toleration matching each taint
     * (Kubernetes' {@code GetMatchingTolerations} and {@code getMinTolerationTime}).
     */
    static Optional<Duration> allowedStay(List<Taint> noExecuteTaints, List<Toleration> tolerations) {
        List<Toleration> used = new ArrayList<>();
        for (Taint taint : noExecuteTaints) {
            Optional<Toleration> first = tolerations.stream().filter(toleration -> tolerates(toleration, taint)).findFirst();
            if (first.isEmpty()) {
                return Optional.of(Duration.ZERO);
            }
            used.add(first.get());
        }
        Long least = null;
        for (Toleration toleration : used) {
            Long seconds = toleration.getTolerationSeconds();
            if (seconds != null) {
                if (seconds <= 0) {
                    return Optional.of(Duration.ZERO);
                }
                least = least == null ? seconds : Math.min(least, seconds);
            }
        }
        return least == null ? Optional.empty() : Optional.of(Duration.ofSeconds(least));
    }

    /**
     * When a pod is to be evicted: the stay it is allowed counted from when the latest of the
     * taints was added ({@code taintedSince}); empty if never.
     */
    static Optional<Instant> evictionTime(List<Taint> noExecuteTaints, List<Toleration> tolerations, Instant taintedSince) {
        if (noExecuteTaints.isEmpty()) {
            return Optional.empty();
        }
        return allowedStay(noExecuteTaints, tolerations).map(taintedSince::plus);
    }

    private static boolean empty(String text) {
        return text == null || text.isEmpty();
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }
}
