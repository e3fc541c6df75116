package io.kubundle.cli.kube;

import com.fasterxml.jackson.databind.JsonNode;

import io.kubundle.api.meta.NodeRoles;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code describe}: the object's name, namespace, labels and annotations, then what matters for
 * its kind (Pod, Deployment, Service, Node, Namespace and ConfigMap as kubectl lays them out;
 * every other kind field by field, as kubectl's generic describer does), then its events.
 */
public final class Describer {
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private final Instant now;
    private final ZoneId zone;

    public Describer(Instant now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /** The description; {@code events} are those whose involvedObject is this object. */
    public String describe(JsonNode object, List<JsonNode> events) {
        DescribeText out = new DescribeText(zone);
        String kind = object.path("kind").asText();
        switch (kind) {
            case "Pod" -> new WorkloadDescriptions(out).pod(object);
            case "Deployment" -> new WorkloadDescriptions(out).deployment(object);
            case "Service" -> service(out, object);
            case "Node" -> node(out, object);
            case "Namespace" -> namespace(out, object);
            case "ConfigMap" -> configMap(out, object);
            default -> generic(out, object);
        }
        if (!kind.equals("Namespace")) {
            events(out, events);
        }
        return out.toString();
    }

    /** Name, Namespace (for namespaced objects), Labels and Annotations. */
    static void header(DescribeText out, JsonNode object, boolean namespaced) {
        JsonNode metadata = object.path("metadata");
        out.field(0, "Name", metadata.path("name").asText());
        if (namespaced) {
            out.field(0, "Namespace", metadata.path("namespace").asText());
        }
    }

    static void labelsAndAnnotations(DescribeText out, JsonNode metadata) {
        out.map(0, "Labels", metadata.path("labels"), "=");
        JsonNode annotations = metadata.path("annotations").deepCopy();
        if (annotations.isObject()) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) annotations).remove(LAST_APPLIED);
        }
        out.map(0, "Annotations", annotations, ": ");
    }

    private static void generic(DescribeText out, JsonNode object) {
        JsonNode metadata = object.path("metadata");
        out.field(0, "Name", metadata.path("name").asText());
        out.line(0, "Namespace:\t" + metadata.path("namespace").asText(""));
        labelsAndAnnotations(out, metadata);
        out.tree(0, object, "", List.of(".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels",
                ".metadata.annotations"));
    }

    private static void service(DescribeText out, JsonNode service) {
        header(out, service, true);
        labelsAndAnnotations(out, service.path("metadata"));
        JsonNode spec = service.path("spec");
        out.field(0, "Selector", DescribeText.inline(spec.path("selector")));
        out.field(0, "Type", spec.path("type").asText("ClusterIP"));
        out.field(0, "IP Family Policy", spec.path("ipFamilyPolicy").asText(""));
        out.field(0, "IP Families", join(spec.path("ipFamilies")));
        out.field(0, "IP", spec.path("clusterIP").asText(""));
        out.field(0, "IPs", join(spec.path("clusterIPs")));
        for (JsonNode port : spec.path("ports")) {
            String name = port.path("name").asText("");
            String protocol = port.path("protocol").asText("TCP");
            out.line(0, "Port:\t" + (name.isEmpty() ? "<unset>" : name) + "  " + port.path("port").asText() + "/" + protocol);
            JsonNode target = port.path("targetPort");
            out.line(0, "TargetPort:\t" + (target.isMissingNode() ? port.path("port").asText() : target.asText()) + "/" + protocol);
            if (port.has("nodePort")) {
                out.line(0, "NodePort:\t" + (name.isEmpty() ? "<unset>" : name) + "  " + port.path("nodePort").asText() + "/"
                        + protocol);
            }
        }
        out.field(0, "Session Affinity", spec.path("sessionAffinity").asText("None"));
    }

    private void node(DescribeText out, JsonNode node) {
        JsonNode metadata = node.path("metadata");
        out.field(0, "Name", metadata.path("name").asText());
        Map<String, String> labels = new java.util.HashMap<>();
        metadata.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        List<String> roles = NodeRoles.of(labels);
        out.field(0, "Roles", roles.isEmpty() ? "<none>" : String.join(",", roles));
        labelsAndAnnotations(out, metadata);
        out.field(0, "CreationTimestamp", out.time(metadata.path("creationTimestamp").asText("")));
        JsonNode spec = node.path("spec");
        List<String> taints = new ArrayList<>();
        for (JsonNode taint : spec.path("taints")) {
            String value = taint.path("value").asText("");
            taints.add(taint.path("key").asText() + (value.isEmpty() ? "" : "=" + value) + ":" + taint.path("effect").asText());
        }
        out.field(0, "Taints", String.join(", ", taints));
        out.field(0, "Unschedulable", Boolean.toString(spec.path("unschedulable").asBoolean(false)));
        JsonNode status = node.path("status");
        if (status.path("conditions").isEmpty()) {
            out.field(0, "Conditions", "<none>");
        } else {
            out.line(0, "Conditions:");
            out.line(1, "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage");
            out.line(1, "----\t------\t-----------------\t------------------\t------\t-------");
            for (JsonNode condition : status.path("conditions")) {
                out.line(1, String.join("\t", condition.path("type").asText(), condition.path("status").asText(),
                        out.time(condition.path("lastHeartbeatTime").asText("")),
                        out.time(condition.path("lastTransitionTime").asText("")),
                        condition.path("reason").asText(""), condition.path("message").asText("")));
            }
        }
        out.line(0, "Addresses:");
        for (JsonNode address : status.path("addresses")) {
            out.line(1, address.path("type").asText() + ":\t" + address.path("address").asText());
        }
        for (String section : List.of("capacity", "allocatable")) {
            if (status.has(section)) {
                out.line(0, DescribeText.label(section) + ":");
                status.path(section).fields().forEachRemaining(e -> out.line(1, e.getKey() + ":\t" + e.getValue().asText()));
            }
        }
        if (status.has("nodeInfo")) {
            out.line(0, "System Info:");
            out.tree(1, status.path("nodeInfo"), "", List.of());
        }
        out.field(0, "PodCIDR", spec.path("podCIDR").asText(""));
        out.field(0, "PodCIDRs", join(spec.path("podCIDRs")));
    }

    private static void namespace(DescribeText out, JsonNode namespace) {
        header(out, namespace, false);
        labelsAndAnnotations(out, namespace.path("metadata"));
        out.field(0, "Status", namespace.path("status").path("phase").asText(""));
        out.blank().line(0, "No resource quota.").blank().line(0, "No LimitRange resource.");
    }

    private static void configMap(DescribeText out, JsonNode configMap) {
        header(out, configMap, true);
        labelsAndAnnotations(out, configMap.path("metadata"));
        out.blank().line(0, "Data").line(0, "====");
        List<String> keys = new ArrayList<>();
        configMap.path("data").fieldNames().forEachRemaining(keys::add);
        for (String key : keys.stream().sorted().toList()) {
            out.line(0, key + ":").line(0, "----").line(0, configMap.path("data").path(key).asText()).blank();
        }
        out.blank().line(0, "BinaryData").line(0, "====");
        List<String> binary = new ArrayList<>();
        configMap.path("binaryData").fieldNames().forEachRemaining(binary::add);
        for (String key : binary.stream().sorted().toList()) {
            out.line(0, key + ":\t" + java.util.Base64.getDecoder().decode(configMap.path("binaryData").path(key).asText()).length
                    + " bytes");
        }
        out.blank();
    }

    private void events(DescribeText out, List<JsonNode> events) {
        if (events.isEmpty()) {
            out.line(0, "Events:\t<none>");
            return;
        }
        List<JsonNode> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(Describer::lastTime));
        out.line(0, "Events:");
        out.line(1, "Type\tReason\tAge\tFrom\tMessage");
        out.line(1, "----\t------\t----\t----\t-------");
        for (JsonNode event : sorted) {
            String age = Ages.since(lastTime(event), now);
            int count = event.path("count").asInt(1);
            if (count > 1) {
                age = age + " (x" + count + " over " + Ages.since(event.path("firstTimestamp").asText(""), now) + ")";
            }
            String from = event.path("source").path("component").asText(event.path("reportingComponent").asText(""));
            String host = event.path("source").path("host").asText("");
            out.line(1, String.join("\t", event.path("type").asText(""), event.path("reason").asText(""), age,
                    host.isEmpty() ? from : from + ", " + host, event.path("message").asText("").strip()));
        }
    }

    private static String lastTime(JsonNode event) {
        for (String field : List.of("lastTimestamp", "eventTime", "firstTimestamp")) {
            String time = event.path(field).asText("");
            if (!time.isEmpty()) {
                return time;
            }
        }
        return event.path("metadata").path("creationTimestamp").asText("");
    }

    static String join(JsonNode list) {
        List<String> items = new ArrayList<>();
        list.forEach(item -> items.add(item.asText()));
        return String.join(",", items);
    }
}
