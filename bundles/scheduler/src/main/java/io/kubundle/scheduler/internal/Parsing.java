package io.kubundle.scheduler.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.meta.LabelSelector;
import io.kubundle.api.scheduler.NodeAffinity;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.NodeSelectorRequirement;
import io.kubundle.api.scheduler.NodeSelectorTerm;
import io.kubundle.api.scheduler.OwnerRef;
import io.kubundle.api.scheduler.PodAffinityTerm;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.Resources;
import io.kubundle.api.scheduler.Taint;
import io.kubundle.api.scheduler.Toleration;
import io.kubundle.api.scheduler.TopologySpreadConstraint;

/** Pods and nodes from their JSON into the SPI's PodInfo and NodeInfo, once per change. */
final class Parsing {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Parsing() {
    }

    /** @throws IllegalArgumentException for a quantity or selector that does not parse */
    static PodInfo pod(ObjectNode pod) {
        JsonNode metadata = pod.path("metadata");
        JsonNode spec = pod.path("spec");
        PodInfo.Builder builder = PodInfo.builder(metadata.path("namespace").asText("default"), metadata.path("name").asText())
                .uid(metadata.path("uid").asText(null)).labels(strings(metadata.path("labels")))
                .annotations(strings(metadata.path("annotations")))
                .schedulerName(spec.path("schedulerName").asText(ProfileConfig.DEFAULT_SCHEDULER))
                .nodeName(spec.path("nodeName").asText("")).priority(spec.path("priority").asInt(0))
                .nodeSelector(strings(spec.path("nodeSelector"))).object(() -> tree(pod));
        requests(spec, builder);
        JsonNode affinity = spec.path("affinity");
        if (affinity.isObject()) {
            builder.nodeAffinity(nodeAffinity(affinity.path("nodeAffinity")));
            JsonNode podAffinity = affinity.path("podAffinity");
            builder.podAffinity(terms(podAffinity.path("requiredDuringSchedulingIgnoredDuringExecution")),
                    weighted(podAffinity.path("preferredDuringSchedulingIgnoredDuringExecution")));
            JsonNode anti = affinity.path("podAntiAffinity");
            builder.podAntiAffinity(terms(anti.path("requiredDuringSchedulingIgnoredDuringExecution")),
                    weighted(anti.path("preferredDuringSchedulingIgnoredDuringExecution")));
        }
        if (spec.path("tolerations").size() > 0) {
            List<Toleration> tolerations = new ArrayList<>();
            for (JsonNode t : spec.path("tolerations")) {
                tolerations.add(new Toleration(t.path("key").asText(""), t.path("operator").asText(""), t.path("value").asText(""),
                        t.path("effect").asText(""), t.has("tolerationSeconds") ? t.path("tolerationSeconds").asLong() : null));
            }
            builder.tolerations(tolerations);
        }
        if (spec.path("topologySpreadConstraints").size() > 0) {
            List<TopologySpreadConstraint> constraints = new ArrayList<>();
            for (JsonNode c : spec.path("topologySpreadConstraints")) {
                constraints.add(new TopologySpreadConstraint(c.path("maxSkew").asInt(1), c.path("topologyKey").asText(),
                        c.path("whenUnsatisfiable").asText(TopologySpreadConstraint.DO_NOT_SCHEDULE), selector(c.path("labelSelector")),
                        c.path("minDomains").asInt(1)));
            }
            builder.topologySpreadConstraints(constraints);
        }
        for (JsonNode owner : metadata.path("ownerReferences")) {
            if (owner.path("controller").asBoolean(false)) {
                builder.controller(new OwnerRef(owner.path("apiVersion").asText(), owner.path("kind").asText(), owner.path("name").asText(),
                        owner.path("uid").asText()));
            }
        }
        return builder.build();
    }

    /** Kubernetes' effective requests: the containers' sum (sidecars included), at least each init container's, plus overhead. */
    private static void requests(JsonNode spec, PodInfo.Builder builder) {
        Resources sum = Resources.ZERO;
        long nonZeroCpu = 0;
        long nonZeroMemory = 0;
        for (JsonNode container : spec.path("containers")) {
            Resources r = Resources.of(strings(container.path("resources").path("requests")));
            sum = sum.plus(r);
            nonZeroCpu += r.milliCpu() == 0 ? PodInfo.DEFAULT_MILLI_CPU_REQUEST : r.milliCpu();
            nonZeroMemory += r.memory() == 0 ? PodInfo.DEFAULT_MEMORY_REQUEST : r.memory();
        }
        Resources sidecars = Resources.ZERO;
        Resources initMax = Resources.ZERO;
        for (JsonNode init : spec.path("initContainers")) {
            Resources r = Resources.of(strings(init.path("resources").path("requests")));
            if ("Always".equals(init.path("restartPolicy").asText())) {
                sidecars = sidecars.plus(r);
                initMax = initMax.max(sidecars);
            } else {
                initMax = initMax.max(sidecars.plus(r));
            }
        }
        sum = sum.plus(sidecars).max(initMax);
        if (spec.path("overhead").isObject()) {
            Resources overhead = Resources.of(strings(spec.path("overhead")));
            sum = sum.plus(overhead);
            nonZeroCpu += overhead.milliCpu();
            nonZeroMemory += overhead.memory();
        }
        builder.requests(sum).nonZeroRequests(Math.max(nonZeroCpu, sum.milliCpu()), Math.max(nonZeroMemory, sum.memory()));
    }

    static NodeInfo node(ObjectNode node) {
        JsonNode metadata = node.path("metadata");
        JsonNode spec = node.path("spec");
        List<Taint> taints = new ArrayList<>();
        for (JsonNode t : spec.path("taints")) {
            taints.add(new Taint(t.path("key").asText(), t.path("value").asText(""), t.path("effect").asText()));
        }
        Map<String, String> allocatable = strings(node.path("status").path("allocatable"));
        long pods = 110;
        if (allocatable.containsKey(Resources.PODS)) {
            pods = Resources.value(allocatable.get(Resources.PODS));
        }
        return NodeInfo.builder(metadata.path("name").asText()).labels(strings(metadata.path("labels"))).taints(taints)
                .unschedulable(spec.path("unschedulable").asBoolean(false)).allocatable(Resources.of(allocatable)).allowedPods(pods)
                .object(() -> tree(node)).build();
    }

    /** Whether a node changed in what scheduling looks at (not heartbeats). */
    static boolean schedulingRelevantChange(ObjectNode before, ObjectNode after) {
        return !before.path("metadata").path("labels").equals(after.path("metadata").path("labels"))
                || !before.path("spec").equals(after.path("spec"))
                || !before.path("status").path("allocatable").equals(after.path("status").path("allocatable"));
    }

    private static NodeAffinity nodeAffinity(JsonNode affinity) {
        if (!affinity.isObject()) {
            return NodeAffinity.NONE;
        }
        JsonNode required = affinity.path("requiredDuringSchedulingIgnoredDuringExecution");
        List<NodeSelectorTerm> terms = null;
        if (required.isObject()) {
            terms = new ArrayList<>();
            for (JsonNode term : required.path("nodeSelectorTerms")) {
                terms.add(nodeSelectorTerm(term));
            }
        }
        List<NodeAffinity.Preferred> preferred = new ArrayList<>();
        for (JsonNode p : affinity.path("preferredDuringSchedulingIgnoredDuringExecution")) {
            preferred.add(new NodeAffinity.Preferred(p.path("weight").asInt(1), nodeSelectorTerm(p.path("preference"))));
        }
        return new NodeAffinity(terms, preferred);
    }

    private static NodeSelectorTerm nodeSelectorTerm(JsonNode term) {
        return new NodeSelectorTerm(requirements(term.path("matchExpressions")), requirements(term.path("matchFields")));
    }

    private static List<NodeSelectorRequirement> requirements(JsonNode list) {
        List<NodeSelectorRequirement> requirements = new ArrayList<>();
        for (JsonNode r : list) {
            requirements.add(new NodeSelectorRequirement(r.path("key").asText(), r.path("operator").asText(), texts(r.path("values"))));
        }
        return requirements;
    }

    private static List<PodAffinityTerm> terms(JsonNode list) {
        List<PodAffinityTerm> terms = new ArrayList<>();
        for (JsonNode term : list) {
            terms.add(term(term));
        }
        return terms;
    }

    private static List<PodAffinityTerm.Weighted> weighted(JsonNode list) {
        List<PodAffinityTerm.Weighted> terms = new ArrayList<>();
        for (JsonNode w : list) {
            terms.add(new PodAffinityTerm.Weighted(w.path("weight").asInt(1), term(w.path("podAffinityTerm"))));
        }
        return terms;
    }

    private static PodAffinityTerm term(JsonNode term) {
        JsonNode namespaceSelector = term.path("namespaceSelector");
        boolean all = namespaceSelector.isObject() && namespaceSelector.size() == 0;
        Set<String> namespaces = new HashSet<>(texts(term.path("namespaces")));
        return new PodAffinityTerm(selector(term.path("labelSelector")), namespaces, all, term.path("topologyKey").asText());
    }

    /** A metav1 LabelSelector; null (matches nothing) when absent. */
    static LabelSelector selector(JsonNode selector) {
        if (!selector.isObject()) {
            return null;
        }
        List<LabelSelector.Requirement> requirements = new ArrayList<>();
        selector.path("matchLabels").fields().forEachRemaining(e -> requirements.add(
                new LabelSelector.Requirement(e.getKey(), LabelSelector.Operator.EQUALS, Set.of(e.getValue().asText()))));
        for (JsonNode e : selector.path("matchExpressions")) {
            LabelSelector.Operator operator = switch (e.path("operator").asText()) {
                case "In" -> LabelSelector.Operator.IN;
                case "NotIn" -> LabelSelector.Operator.NOT_IN;
                case "Exists" -> LabelSelector.Operator.EXISTS;
                case "DoesNotExist" -> LabelSelector.Operator.DOES_NOT_EXIST;
                default -> throw new IllegalArgumentException("unknown selector operator " + e.path("operator").asText());
            };
            requirements.add(new LabelSelector.Requirement(e.path("key").asText(), operator, new HashSet<>(texts(e.path("values")))));
        }
        return LabelSelector.of(requirements);
    }

    private static Map<String, String> strings(JsonNode object) {
        if (!object.isObject() || object.size() == 0) {
            return Map.of();
        }
        Map<String, String> map = new HashMap<>();
        object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    private static List<String> texts(JsonNode array) {
        if (!array.isArray() || array.size() == 0) {
            return List.of();
        }
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tree(ObjectNode object) {
        return Collections.unmodifiableMap(MAPPER.convertValue(object, Map.class));
    }
}
