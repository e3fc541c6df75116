package io.kubundle.apiserver.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.meta.NodeRoles;

/**
 * Server-side printing: the {@code meta.k8s.io/v1 Table} that {@code kubectl get} asks for, with
 * the columns Kubernetes prints for each kind (and Name, Age for the rest).
 */
final class Tables {
    private record Column(String name, String type, int priority, Function<JsonNode, Object> cell) {
    }

    private static final Column NAME = new Column("Name", "string", 0, o -> o.path("metadata").path("name").asText());
    private static final Column AGE = new Column("Age", "string", 0, o -> age(o.path("metadata").path("creationTimestamp").asText()));

    private static final Map<String, List<Column>> COLUMNS = Map.ofEntries(
            Map.entry("Pod", List.of(NAME,
                    new Column("Ready", "string", 0, Tables::podReady),
                    new Column("Status", "string", 0, Tables::podStatus),
                    new Column("Restarts", "string", 0, Tables::podRestarts),
                    AGE,
                    new Column("IP", "string", 1, o -> orNone(o.path("status").path("podIP").asText(""))),
                    new Column("Node", "string", 1, o -> orNone(o.path("spec").path("nodeName").asText(""))),
                    new Column("Nominated Node", "string", 1, o -> orNone(o.path("status").path("nominatedNodeName").asText(""))),
                    new Column("Readiness Gates", "string", 1, o -> "<none>"))),
            Map.entry("Deployment", List.of(NAME,
                    new Column("Ready", "string", 0, o -> o.path("status").path("readyReplicas").asInt(0) + "/" + o.path("spec").path("replicas").asInt(0)),
                    new Column("Up-to-date", "integer", 0, o -> o.path("status").path("updatedReplicas").asInt(0)),
                    new Column("Available", "integer", 0, o -> o.path("status").path("availableReplicas").asInt(0)),
                    AGE,
                    new Column("Containers", "string", 1, o -> containers(o, "name")),
                    new Column("Images", "string", 1, o -> containers(o, "image")),
                    new Column("Selector", "string", 1, Tables::selector))),
            Map.entry("ReplicaSet", List.of(NAME,
                    new Column("Desired", "integer", 0, o -> o.path("spec").path("replicas").asInt(0)),
                    new Column("Current", "integer", 0, o -> o.path("status").path("replicas").asInt(0)),
                    new Column("Ready", "integer", 0, o -> o.path("status").path("readyReplicas").asInt(0)),
                    AGE,
                    new Column("Containers", "string", 1, o -> containers(o, "name")),
                    new Column("Images", "string", 1, o -> containers(o, "image")),
                    new Column("Selector", "string", 1, Tables::selector))),
            Map.entry("DaemonSet", List.of(NAME,
                    new Column("Desired", "integer", 0, o -> o.path("status").path("desiredNumberScheduled").asInt(0)),
                    new Column("Current", "integer", 0, o -> o.path("status").path("currentNumberScheduled").asInt(0)),
                    new Column("Ready", "integer", 0, o -> o.path("status").path("numberReady").asInt(0)),
                    new Column("Up-to-date", "integer", 0, o -> o.path("status").path("updatedNumberScheduled").asInt(0)),
                    new Column("Available", "integer", 0, o -> o.path("status").path("numberAvailable").asInt(0)),
                    new Column("Node Selector", "string", 0, o -> mapText(o.path("spec").path("template").path("spec").path("nodeSelector"))),
                    AGE)),
            Map.entry("StatefulSet", List.of(NAME,
                    new Column("Ready", "string", 0, o -> o.path("status").path("readyReplicas").asInt(0) + "/" + o.path("spec").path("replicas").asInt(0)),
                    AGE)),
            Map.entry("Namespace", List.of(NAME,
                    new Column("Status", "string", 0, o -> o.path("status").path("phase").asText("")),
                    AGE)),
            Map.entry("Service", List.of(NAME,
                    new Column("Type", "string", 0, o -> o.path("spec").path("type").asText("ClusterIP")),
                    new Column("Cluster-IP", "string", 0, o -> orNone(o.path("spec").path("clusterIP").asText(""))),
                    new Column("External-IP", "string", 0, Tables::externalIp),
                    new Column("Port(s)", "string", 0, Tables::ports),
                    AGE,
                    new Column("Selector", "string", 1, o -> mapText(o.path("spec").path("selector"))))),
            Map.entry("Endpoints", List.of(NAME,
                    new Column("Endpoints", "string", 0, Tables::endpoints),
                    AGE)),
            Map.entry("EndpointSlice", List.of(NAME,
                    new Column("AddressType", "string", 0, o -> o.path("addressType").asText("")),
                    new Column("Ports", "string", 0, Tables::slicePorts),
                    new Column("Endpoints", "string", 0, Tables::sliceEndpoints),
                    AGE)),
            Map.entry("ConfigMap", List.of(NAME,
                    new Column("Data", "integer", 0, o -> o.path("data").size() + o.path("binaryData").size()),
                    AGE)),
            Map.entry("Secret", List.of(NAME,
                    new Column("Type", "string", 0, o -> o.path("type").asText("Opaque")),
                    new Column("Data", "integer", 0, o -> o.path("data").size()),
                    AGE)),
            Map.entry("Node", List.of(NAME,
                    new Column("Status", "string", 0, Tables::nodeStatus),
                    new Column("Roles", "string", 0, Tables::nodeRoles),
                    AGE,
                    new Column("Version", "string", 0, o -> o.path("status").path("nodeInfo").path("kubeletVersion").asText("")),
                    new Column("Internal-IP", "string", 1, o -> nodeAddress(o, "InternalIP")),
                    new Column("External-IP", "string", 1, o -> nodeAddress(o, "ExternalIP")),
                    new Column("OS-Image", "string", 1, o -> o.path("status").path("nodeInfo").path("osImage").asText("<unknown>")),
                    new Column("Kernel-Version", "string", 1, o -> o.path("status").path("nodeInfo").path("kernelVersion").asText("<unknown>")),
                    new Column("Container-Runtime", "string", 1,
                            o -> o.path("status").path("nodeInfo").path("containerRuntimeVersion").asText("<unknown>")))),
            Map.entry("PersistentVolume", List.of(NAME,
                    new Column("Capacity", "string", 0, o -> o.path("spec").path("capacity").path("storage").asText("")),
                    new Column("Access Modes", "string", 0, o -> accessModes(o.path("spec").path("accessModes"))),
                    new Column("Reclaim Policy", "string", 0, o -> o.path("spec").path("persistentVolumeReclaimPolicy").asText("")),
                    new Column("Status", "string", 0, o -> o.path("status").path("phase").asText("")),
                    new Column("Claim", "string", 0, Tables::volumeClaim),
                    new Column("StorageClass", "string", 0, o -> o.path("spec").path("storageClassName").asText("")),
                    new Column("VolumeAttributesClass", "string", 0, o -> "<unset>"),
                    new Column("Reason", "string", 0, o -> o.path("status").path("reason").asText("")),
                    AGE,
                    new Column("VolumeMode", "string", 1, o -> o.path("spec").path("volumeMode").asText("Filesystem")))),
            Map.entry("PersistentVolumeClaim", List.of(NAME,
                    new Column("Status", "string", 0, o -> o.path("status").path("phase").asText("Pending")),
                    new Column("Volume", "string", 0, o -> o.path("spec").path("volumeName").asText("")),
                    new Column("Capacity", "string", 0, o -> o.path("status").path("capacity").path("storage").asText("")),
                    new Column("Access Modes", "string", 0, o -> accessModes(o.path("status").path("accessModes"))),
                    new Column("StorageClass", "string", 0, o -> o.path("spec").path("storageClassName").asText("")),
                    new Column("VolumeAttributesClass", "string", 0, o -> "<unset>"),
                    AGE,
                    new Column("VolumeMode", "string", 1, o -> o.path("spec").path("volumeMode").asText("Filesystem")))),
            Map.entry("StorageClass", List.of(
                    new Column("Name", "string", 0, o -> o.path("metadata").path("name").asText() + ("true".equals(o.path("metadata")
                            .path("annotations").path("storageclass.kubernetes.io/is-default-class").asText()) ? " (default)" : "")),
                    new Column("Provisioner", "string", 0, o -> o.path("provisioner").asText("")),
                    new Column("ReclaimPolicy", "string", 0, o -> o.path("reclaimPolicy").asText("Delete")),
                    new Column("VolumeBindingMode", "string", 0, o -> o.path("volumeBindingMode").asText("Immediate")),
                    new Column("AllowVolumeExpansion", "string", 0, o -> o.path("allowVolumeExpansion").asBoolean(false) ? "true" : "false"),
                    AGE)),
            Map.entry("Job", List.of(NAME,
                    new Column("Status", "string", 0, Tables::jobStatus),
                    new Column("Completions", "string", 0, o -> o.path("status").path("succeeded").asInt(0) + "/" + o.path("spec").path("completions").asInt(1)),
                    AGE)),
            Map.entry(CertificateSigningRequests.KIND, List.of(NAME, AGE,
                    new Column("SignerName", "string", 0, o -> orNone(o.path("spec").path("signerName").asText(""))),
                    new Column("Requestor", "string", 0, o -> o.path("spec").path("username").asText("")),
                    new Column("RequestedDuration", "string", 0, o -> o.path("spec").path("expirationSeconds").canConvertToLong()
                            ? humanDuration(Duration.ofSeconds(o.path("spec").path("expirationSeconds").asLong())) : "<none>"),
                    new Column("Condition", "string", 0, CertificateSigningRequests::condition))),
            Map.entry("CronJob", List.of(NAME,
                    new Column("Schedule", "string", 0, o -> o.path("spec").path("schedule").asText("")),
                    new Column("Suspend", "boolean", 0, o -> o.path("spec").path("suspend").asBoolean(false) ? "True" : "False"),
                    new Column("Active", "integer", 0, o -> o.path("status").path("active").size()),
                    new Column("Last Schedule", "string", 0, o -> orNone(age(o.path("status").path("lastScheduleTime").asText("")))),
                    AGE)));

    private Tables() {
    }

    /** A Table of the objects; {@code withColumns} false leaves out the column definitions (watch events after the first). */
    static ObjectNode table(ResourceType type, List<ObjectNode> objects, String resourceVersion, String continueToken,
            boolean withColumns) {
        List<Column> columns = COLUMNS.getOrDefault(type.kind(), List.of(NAME, AGE));
        ObjectNode table = JsonNodeFactory.instance.objectNode();
        table.put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        ObjectNode metadata = table.putObject("metadata");
        metadata.put("resourceVersion", resourceVersion);
        if (continueToken != null) {
            metadata.put("continue", continueToken);
        }
        ArrayNode definitions = table.putArray("columnDefinitions");
        if (withColumns) {
            for (Column column : columns) {
                definitions.addObject().put("name", column.name()).put("type", column.type())
                        .put("format", column == NAME ? "name" : "").put("description", "").put("priority", column.priority());
            }
        }
        ArrayNode rows = table.putArray("rows");
        for (ObjectNode object : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Column column : columns) {
                Object value = column.cell().apply(object);
                if (value instanceof Integer i) {
                    cells.add(i);
                } else {
                    cells.add(String.valueOf(value));
                }
            }
            ObjectNode partial = row.putObject("object");
            partial.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
            partial.set("metadata", object.path("metadata").deepCopy());
        }
        return table;
    }

    /** Kubernetes' HumanDuration, as kubectl shows ages. */
    static String age(String timestamp) {
        if (timestamp == null || timestamp.isEmpty()) {
            return "<unknown>";
        }
        try {
            return humanDuration(Duration.between(Instant.parse(timestamp), Instant.now()));
        } catch (DateTimeParseException e) {
            return "<unknown>";
        }
    }

    static String humanDuration(Duration d) {
        if (d.compareTo(Duration.ofSeconds(-1)) < 0) {
            return "<invalid>";
        }
        if (d.isNegative()) {
            return "0s";
        }
        long seconds = d.toSeconds();
        if (seconds < 120) {
            return seconds + "s";
        }
        long minutes = d.toMinutes();
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        }
        if (minutes < 180) {
            return minutes + "m";
        }
        long hours = d.toHours();
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        }
        if (hours < 48) {
            return hours + "h";
        }
        if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        }
        if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        }
        long years = hours / 24 / 365;
        long days = (hours / 24) % 365;
        if (hours < 24 * 365 * 8) {
            return days == 0 ? years + "y" : years + "y" + days + "d";
        }
        return years + "y";
    }

    /** kubectl's short access modes: RWO, ROX, RWX, RWOP. */
    private static String accessModes(JsonNode modes) {
        List<String> shortNames = new ArrayList<>();
        for (JsonNode mode : modes) {
            shortNames.add(switch (mode.asText()) {
                case "ReadWriteOnce" -> "RWO";
                case "ReadOnlyMany" -> "ROX";
                case "ReadWriteMany" -> "RWX";
                case "ReadWriteOncePod" -> "RWOP";
                default -> mode.asText();
            });
        }
        return String.join(",", shortNames);
    }

    private static String volumeClaim(JsonNode volume) {
        JsonNode ref = volume.path("spec").path("claimRef");
        return ref.isObject() ? ref.path("namespace").asText() + "/" + ref.path("name").asText() : "";
    }

    private static String orNone(String value) {
        return value.isEmpty() ? "<none>" : value;
    }

    private static String podReady(JsonNode pod) {
        int ready = 0;
        for (JsonNode status : pod.path("status").path("containerStatuses")) {
            if (status.path("ready").asBoolean(false)) {
                ready++;
            }
        }
        return ready + "/" + pod.path("spec").path("containers").size();
    }

    private static String podStatus(JsonNode pod) {
        if (pod.path("metadata").has("deletionTimestamp")) {
            // as Kubernetes prints it: a pod evicted from an unreachable node is Unknown, not Terminating
            return pod.path("status").path("reason").asText().equals("NodeLost") ? "Unknown" : "Terminating";
        }
        String reason = pod.path("status").path("reason").asText(pod.path("status").path("phase").asText("Pending"));
        for (JsonNode status : pod.path("status").path("containerStatuses")) {
            JsonNode state = status.path("state");
            if (state.has("waiting") && !state.path("waiting").path("reason").asText("").isEmpty()) {
                reason = state.path("waiting").path("reason").asText();
            } else if (state.has("terminated") && !state.path("terminated").path("reason").asText("").isEmpty()) {
                reason = state.path("terminated").path("reason").asText();
            }
        }
        return reason;
    }

    private static Object podRestarts(JsonNode pod) {
        int restarts = 0;
        for (JsonNode status : pod.path("status").path("containerStatuses")) {
            restarts += status.path("restartCount").asInt(0);
        }
        return restarts;
    }

    private static String containers(JsonNode object, String field) {
        List<String> values = new ArrayList<>();
        for (JsonNode container : object.path("spec").path("template").path("spec").path("containers")) {
            values.add(container.path(field).asText());
        }
        return String.join(",", values);
    }

    private static String selector(JsonNode object) {
        String labels = mapText(object.path("spec").path("selector").path("matchLabels"));
        return labels.equals("<none>") ? "<none>" : labels;
    }

    private static String mapText(JsonNode map) {
        List<String> pairs = new ArrayList<>();
        map.fields().forEachRemaining(e -> pairs.add(e.getKey() + "=" + e.getValue().asText()));
        return pairs.isEmpty() ? "<none>" : String.join(",", pairs);
    }

    private static String externalIp(JsonNode service) {
        if (service.path("spec").path("type").asText("").equals("ExternalName")) {
            return service.path("spec").path("externalName").asText("<none>");
        }
        List<String> ips = new ArrayList<>();
        for (JsonNode ingress : service.path("status").path("loadBalancer").path("ingress")) {
            ips.add(ingress.path("ip").asText(ingress.path("hostname").asText()));
        }
        for (JsonNode ip : service.path("spec").path("externalIPs")) {
            ips.add(ip.asText());
        }
        if (ips.isEmpty()) {
            return service.path("spec").path("type").asText("").equals("LoadBalancer") ? "<pending>" : "<none>";
        }
        return String.join(",", ips);
    }

    /** As Kubernetes prints them: the first three {@code ip:port} of the ready addresses, then {@code + N more...}. */
    private static String endpoints(JsonNode endpoints) {
        List<String> all = new ArrayList<>();
        for (JsonNode subset : endpoints.path("subsets")) {
            for (JsonNode address : subset.path("addresses")) {
                if (subset.path("ports").isEmpty()) {
                    all.add(address.path("ip").asText());
                }
                for (JsonNode port : subset.path("ports")) {
                    all.add(address.path("ip").asText() + ":" + port.path("port").asText());
                }
            }
        }
        return firstThree(all);
    }

    private static String slicePorts(JsonNode slice) {
        List<String> ports = new ArrayList<>();
        for (JsonNode port : slice.path("ports")) {
            ports.add(port.path("port").asText());
        }
        return ports.isEmpty() ? "<unset>" : String.join(",", ports);
    }

    private static String sliceEndpoints(JsonNode slice) {
        List<String> all = new ArrayList<>();
        for (JsonNode endpoint : slice.path("endpoints")) {
            for (JsonNode address : endpoint.path("addresses")) {
                all.add(address.asText());
            }
        }
        return firstThree(all);
    }

    private static String firstThree(List<String> values) {
        if (values.isEmpty()) {
            return "<none>";
        }
        String shown = String.join(",", values.subList(0, Math.min(3, values.size())));
        return values.size() > 3 ? shown + " + " + (values.size() - 3) + " more..." : shown;
    }

    private static String ports(JsonNode service) {
        List<String> ports = new ArrayList<>();
        for (JsonNode port : service.path("spec").path("ports")) {
            String text = port.path("port").asText();
            if (port.has("nodePort")) {
                text += ":" + port.path("nodePort").asText();
            }
            ports.add(text + "/" + port.path("protocol").asText("TCP"));
        }
        return ports.isEmpty() ? "<none>" : String.join(",", ports);
    }

    private static String nodeStatus(JsonNode node) {
        String status = "Unknown";
        for (JsonNode condition : node.path("status").path("conditions")) {
            if (condition.path("type").asText().equals("Ready")) {
                status = condition.path("status").asText().equals("True") ? "Ready" : "NotReady";
            }
        }
        return node.path("spec").path("unschedulable").asBoolean(false) ? status + ",SchedulingDisabled" : status;
    }

    /** The node's first address of a type, {@code <none>} without one, as kubectl's wide output shows it. */
    private static String nodeAddress(JsonNode node, String type) {
        for (JsonNode address : node.path("status").path("addresses")) {
            if (address.path("type").asText().equals(type)) {
                return address.path("address").asText();
            }
        }
        return "<none>";
    }

    private static String nodeRoles(JsonNode node) {
        List<String> roles = NodeRoles.of(ObjectStorage.labels(node));
        return roles.isEmpty() ? "<none>" : String.join(",", roles);
    }

    private static String jobStatus(JsonNode job) {
        for (JsonNode condition : job.path("status").path("conditions")) {
            if (condition.path("status").asText().equals("True")) {
                String type = condition.path("type").asText();
                if (type.equals("Complete")) {
                    return "Complete";
                }
                if (type.equals("Failed")) {
                    return "Failed";
                }
            }
        }
        return "Running";
    }
}
