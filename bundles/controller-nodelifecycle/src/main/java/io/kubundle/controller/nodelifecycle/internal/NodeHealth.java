package io.kubundle.controller.nodelifecycle.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;

/**
 * The node lifecycle controller's decisions, free of I/O: when a node's conditions go Unknown,
 * and which of the taints this controller owns a node should carry for its Ready condition.
 */
final class NodeHealth {
    static final String NOT_READY = "node.kubernetes.io/not-ready";
    static final String UNREACHABLE = "node.kubernetes.io/unreachable";
    static final String NO_SCHEDULE = "NoSchedule";
    static final String READY = "Ready";
    /** The conditions the kubelet posts and this controller sets Unknown when it stops (Kubernetes' list). */
    static final Set<String> KUBELET_CONDITIONS = Set.of(READY, "MemoryPressure", "DiskPressure", "PIDPressure");
    static final String STATUS_UNKNOWN_REASON = "NodeStatusUnknown";
    static final String STATUS_UNKNOWN_MESSAGE = "Kubelet stopped posting node status.";

    private NodeHealth() {
    }

    /** The status of the Ready condition: True, False or Unknown (no condition counts as Unknown). */
    static String readyStatus(List<NodeCondition> conditions) {
        return ready(conditions).map(NodeCondition::getStatus).orElse("Unknown");
    }

    static Optional<NodeCondition> ready(List<NodeCondition> conditions) {
        return conditions == null ? Optional.empty() : conditions.stream().filter(c -> READY.equals(c.getType())).findFirst();
    }

    /** The heartbeat was last seen longer ago than the grace period. */
    static boolean stale(Instant lastHeartbeat, Instant now, Duration grace) {
        return lastHeartbeat.plus(grace).isBefore(now);
    }

    /**
     * The conditions after the kubelet has been silent for the grace period: Ready and the pressure
     * conditions Unknown (reason {@code NodeStatusUnknown}, "Kubelet stopped posting node status.",
     * a Ready condition never posted is added as {@code NodeStatusNeverUpdated}); empty if they are
     * so already. Other conditions are kept as they are.
     */
    static Optional<List<NodeCondition>> markedUnknown(List<NodeCondition> conditions, String now) {
        List<NodeCondition> result = new ArrayList<>();
        boolean changed = false;
        for (NodeCondition condition : conditions == null ? List.<NodeCondition>of() : conditions) {
            if (KUBELET_CONDITIONS.contains(condition.getType()) && !"Unknown".equals(condition.getStatus())) {
                result.add(new NodeConditionBuilder(condition).withStatus("Unknown").withReason(STATUS_UNKNOWN_REASON)
                        .withMessage(STATUS_UNKNOWN_MESSAGE).withLastTransitionTime(now).build());
                changed = true;
            } else {
                result.add(condition);
            }
        }
        if (ready(conditions).isEmpty()) {
            result.add(new NodeConditionBuilder().withType(READY).withStatus("Unknown").withReason("NodeStatusNeverUpdated")
                    .withMessage("Kubelet never posted node status.").withLastHeartbeatTime(now).withLastTransitionTime(now).build());
            changed = true;
        }
        return changed ? Optional.of(result) : Optional.empty();
    }

    /**
     * The taints a node should carry for its Ready status: {@code not-ready} (False) or
     * {@code unreachable} (Unknown), NoExecute and NoSchedule, none of either when True. Taints
     * that stay keep their {@code timeAdded}; new ones are added at {@code now}; everyone else's
     * taints are kept. Empty if the node carries the right ones already.
     */
    static Optional<List<Taint>> desiredTaints(List<Taint> current, String readyStatus, String now) {
        String wanted = switch (readyStatus) {
            case "False" -> NOT_READY;
            case "True" -> null;
            default -> UNREACHABLE;
        };
        List<Taint> result = new ArrayList<>();
        List<Taint> existing = current == null ? List.of() : current;
        for (Taint taint : existing) {
            boolean ours = NOT_READY.equals(taint.getKey()) || UNREACHABLE.equals(taint.getKey());
            boolean ourEffect = Tolerations.NO_EXECUTE.equals(taint.getEffect()) || NO_SCHEDULE.equals(taint.getEffect());
            if (!ours || !ourEffect || taint.getKey().equals(wanted)) {
                result.add(taint);
            }
        }
        if (wanted != null) {
            for (String effect : List.of(Tolerations.NO_EXECUTE, NO_SCHEDULE)) {
                if (result.stream().noneMatch(t -> wanted.equals(t.getKey()) && effect.equals(t.getEffect()))) {
                    result.add(new TaintBuilder().withKey(wanted).withEffect(effect).withTimeAdded(now).build());
                }
            }
        }
        return sameTaints(existing, result) ? Optional.empty() : Optional.of(result);
    }

    private static boolean sameTaints(List<Taint> a, List<Taint> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Objects.equals(a.get(i).getKey(), b.get(i).getKey()) || !Objects.equals(a.get(i).getEffect(), b.get(i).getEffect())) {
                return false;
            }
        }
        return true;
    }

    /** The node's NoExecute taints. */
    static List<Taint> noExecute(List<Taint> taints) {
        return taints == null ? List.of() : taints.stream().filter(t -> Tolerations.NO_EXECUTE.equals(t.getEffect())).toList();
    }
}
