package io.kubundle.controller.daemonset.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kubundle.controller.support.Owners;
import io.kubundle.controller.support.Revisions;

/** The pods a DaemonSet makes, as Kubernetes' DaemonSet controller makes them. */
final class DaemonPods {
    /** The tolerations Kubernetes adds to every DaemonSet pod. */
    static final List<Toleration> DEFAULT_TOLERATIONS = List.of(
            exists("node.kubernetes.io/not-ready", "NoExecute"),
            exists("node.kubernetes.io/unreachable", "NoExecute"),
            exists("node.kubernetes.io/disk-pressure", "NoSchedule"),
            exists("node.kubernetes.io/memory-pressure", "NoSchedule"),
            exists("node.kubernetes.io/pid-pressure", "NoSchedule"),
            exists("node.kubernetes.io/unschedulable", "NoSchedule"));

    private DaemonPods() {
    }

    private static Toleration exists(String key, String effect) {
        return new TolerationBuilder().withKey(key).withOperator("Exists").withEffect(effect).build();
    }

    /** The template's tolerations plus the default ones it does not already have. */
    static List<Toleration> withDefaultTolerations(List<Toleration> own) {
        List<Toleration> all = new ArrayList<>(own == null ? List.of() : own);
        for (Toleration toleration : DEFAULT_TOLERATIONS) {
            boolean present = all.stream().anyMatch(t -> toleration.getKey().equals(t.getKey()) && toleration.getEffect().equals(t.getEffect()));
            if (!present) {
                all.add(toleration);
            }
        }
        return all;
    }

    /**
     * The DaemonSet's pod for a node: named {@code <set>-<random>} by the API server, labelled
     * with the revision hash, bound to the node both ways Kubernetes knows: the required node
     * affinity on {@code metadata.name} that the DaemonSet controller writes (replacing the
     * template's required terms) and {@code spec.nodeName}, since no scheduler need run.
     */
    static Pod forNode(DaemonSet set, PodTemplateSpec template, String hash, String node) {
        Map<String, String> labels = new HashMap<>(template.getMetadata() == null || template.getMetadata().getLabels() == null
                ? Map.of() : template.getMetadata().getLabels());
        labels.put(Revisions.HASH_LABEL, hash);
        PodSpec copy = new PodSpecBuilder(template.getSpec()).build();
        AffinityBuilder affinity = copy.getAffinity() == null ? new AffinityBuilder() : new AffinityBuilder(copy.getAffinity());
        copy.setAffinity(affinity.withNewNodeAffinity()
                .withPreferredDuringSchedulingIgnoredDuringExecution(copy.getAffinity() == null || copy.getAffinity().getNodeAffinity() == null
                        ? null : copy.getAffinity().getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                .withMatchFields(new NodeSelectorRequirementBuilder().withKey("metadata.name").withOperator("In").withValues(node).build())
                .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build());
        copy.setTolerations(withDefaultTolerations(copy.getTolerations()));
        copy.setNodeName(node);
        return new PodBuilder().withNewMetadata().withGenerateName(set.getMetadata().getName() + "-")
                .withNamespace(set.getMetadata().getNamespace()).withLabels(labels)
                .withAnnotations(template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
                .withOwnerReferences(Owners.controllerReference(set)).endMetadata().withSpec(copy).build();
    }

    /** The node a DaemonSet pod is for: its nodeName, else the node its affinity names. */
    static String nodeOf(Pod pod) {
        if (pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()) {
            return pod.getSpec().getNodeName();
        }
        var affinity = pod.getSpec().getAffinity();
        if (affinity == null || affinity.getNodeAffinity() == null
                || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return null;
        }
        for (var term : affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms()) {
            for (var field : term.getMatchFields() == null ? List.<io.fabric8.kubernetes.api.model.NodeSelectorRequirement>of() : term.getMatchFields()) {
                if ("metadata.name".equals(field.getKey()) && field.getValues() != null && field.getValues().size() == 1) {
                    return field.getValues().get(0);
                }
            }
        }
        return null;
    }

    /**
     * A RollingUpdate's maxUnavailable against the desired count: an int, or a percentage rounded
     * up; at least 1, since this controller does not surge (default 1).
     */
    static int maxUnavailable(IntOrString value, int desired) {
        if (value == null) {
            return 1;
        }
        int result;
        if (value.getIntVal() != null) {
            result = value.getIntVal();
        } else {
            String text = value.getStrVal();
            if (text.endsWith("%")) {
                int percent = Integer.parseInt(text.substring(0, text.length() - 1));
                result = (int) Math.ceil(percent * desired / 100.0);
            } else {
                result = Integer.parseInt(text);
            }
        }
        // without surge a rolling update must be allowed to take one down
        return Math.max(1, result);
    }
}
