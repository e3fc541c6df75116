package io.kubundle.controller.daemonset.internal;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;

/**
 * Whether a DaemonSet's pod belongs on a node, as Kubernetes' {@code NodeShouldRunDaemonPod}
 * decides: the template's {@code nodeSelector} and required node affinity must match the node,
 * and its taints must be tolerated (with the tolerations DaemonSet pods always get, see
 * {@link DaemonPods#DEFAULT_TOLERATIONS}). A {@code NoSchedule} taint the pod does not tolerate
 * keeps new pods off the node but lets a running one stay; a {@code NoExecute} one removes it.
 * {@code spec.unschedulable} does not matter: DaemonSet pods tolerate it.
 */
final class NodeEligibility {
    /** {@code shouldRun}: a pod should be there; {@code shouldContinueRunning}: one there may stay. */
    record Verdict(boolean shouldRun, boolean shouldContinueRunning) {
        static final Verdict NO = new Verdict(false, false);
    }

    private NodeEligibility() {
    }

    static Verdict of(Node node, PodSpec template) {
        List<Toleration> tolerations = DaemonPods.withDefaultTolerations(template.getTolerations());
        if (!selects(template, node)) {
            return Verdict.NO;
        }
        boolean shouldRun = true;
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
        for (Taint taint : taints) {
            if ("PreferNoSchedule".equals(taint.getEffect()) || tolerated(taint, tolerations)) {
                continue;
            }
            if ("NoExecute".equals(taint.getEffect())) {
                return Verdict.NO;
            }
            shouldRun = false;
        }
        return new Verdict(shouldRun, true);
    }

    /** The template's nodeSelector and required node affinity select the node. */
    static boolean selects(PodSpec template, Node node) {
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        if (template.getNodeSelector() != null) {
            for (Map.Entry<String, String> wanted : template.getNodeSelector().entrySet()) {
                if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
                    return false;
                }
            }
        }
        NodeSelector required = template.getAffinity() == null || template.getAffinity().getNodeAffinity() == null ? null
                : template.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        if (required == null || required.getNodeSelectorTerms() == null) {
            return true;
        }
        // terms are ORed; an empty term matches nothing
        for (NodeSelectorTerm term : required.getNodeSelectorTerms()) {
            if (matches(term, labels, node.getMetadata().getName())) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(NodeSelectorTerm term, Map<String, String> labels, String nodeName) {
        List<NodeSelectorRequirement> expressions = term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
        List<NodeSelectorRequirement> fields = term.getMatchFields() == null ? List.of() : term.getMatchFields();
        if (expressions.isEmpty() && fields.isEmpty()) {
            return false;
        }
        for (NodeSelectorRequirement expression : expressions) {
            if (!matches(expression, labels.get(expression.getKey()))) {
                return false;
            }
        }
        for (NodeSelectorRequirement field : fields) {
            if (!"metadata.name".equals(field.getKey()) || !matches(field, nodeName)) {
                return false;
            }
        }
        return true;
    }

    /** One requirement against a value (null: the label is absent). */
    static boolean matches(NodeSelectorRequirement requirement, String value) {
        List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
        return switch (requirement.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            case "Gt", "Lt" -> value != null && values.size() == 1 && compare(value, values.get(0), requirement.getOperator());
            default -> false;
        };
    }

    private static boolean compare(String value, String bound, String operator) {
        try {
            long actual = Long.parseLong(value);
            long limit = Long.parseLong(bound);
            return operator.equals("Gt") ? actual > limit : actual < limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Whether any toleration tolerates the taint, by Kubernetes' rules. */
    static boolean tolerated(Taint taint, List<Toleration> tolerations) {
        for (Toleration toleration : tolerations) {
            boolean effect = toleration.getEffect() == null || toleration.getEffect().isEmpty()
                    || toleration.getEffect().equals(taint.getEffect());
            if (!effect) {
                continue;
            }
            String key = toleration.getKey() == null ? "" : toleration.getKey();
            if ("Exists".equals(toleration.getOperator())) {
                if (key.isEmpty() || key.equals(taint.getKey())) {
                    return true;
                }
            } else if (key.equals(taint.getKey())
                    && Objects.equals(toleration.getValue() == null ? "" : toleration.getValue(), taint.getValue() == null ? "" : taint.getValue())) {
                return true;
            }
        }
        return false;
    }
}
