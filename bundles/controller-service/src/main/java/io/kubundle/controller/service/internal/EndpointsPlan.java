package io.kubundle.controller.service.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The endpoints of a Service with a selector, as kube-controller-manager's endpoints and
 * endpointslice controllers compute them from its pods: which pods count, the port each
 * {@code targetPort} means in each pod (a named one is looked up in the pod's containers, so pods
 * of two versions may differ), ready and not-ready addresses, the hostname of a pod whose
 * {@code subdomain} names a headless Service. Pure functions of the Service and the pods, in a
 * stable order, so that an unchanged state gives an equal result and nothing is written.
 */
final class EndpointsPlan {
    /** Most endpoints in one EndpointSlice (kube-controller-manager's --max-endpoints-per-slice default). */
    static final int MAX_PER_SLICE = 100;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** One pod's address with the ports it serves. */
    record PodEndpoint(String ip, JsonNode pod, ArrayNode ports, boolean ready, boolean serving, boolean terminating, String hostname) {
    }

    /** The endpoints that share a port list: one Endpoints subset, one or more EndpointSlices. */
    record Group(ArrayNode ports, List<PodEndpoint> endpoints) {
    }

    private EndpointsPlan() {
    }

    /** Whether the labels match the Service's selector (a map of equalities; empty or absent selects nothing here). */
    static boolean selects(JsonNode service, JsonNode labels) {
        JsonNode selector = service.path("spec").path("selector");
        if (!selector.isObject() || selector.isEmpty()) {
            return false;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = selector.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> term = fields.next();
            if (!term.getValue().asText().equals(labels.path(term.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    static boolean hasSelector(JsonNode service) {
        return service.path("spec").path("selector").isObject() && !service.path("spec").path("selector").isEmpty();
    }

    static boolean isReady(JsonNode pod) {
        for (JsonNode condition : pod.path("status").path("conditions")) {
            if (condition.path("type").asText().equals("Ready")) {
                return condition.path("status").asText().equals("True");
            }
        }
        return false;
    }

    /**
     * The Service's pods grouped by the ports they serve, groups in a stable order and endpoints
     * by address. {@code includeTerminating}: EndpointSlices list terminating pods (with their
     * conditions); Endpoints only with {@code publishNotReadyAddresses}.
     */
    static List<Group> groups(JsonNode service, List<? extends JsonNode> pods, boolean includeTerminating) {
        boolean publishNotReady = service.path("spec").path("publishNotReadyAddresses").asBoolean(false);
        String namespace = service.path("metadata").path("namespace").asText();
        Map<String, Group> groups = new TreeMap<>();
        for (JsonNode pod : pods) {
            if (!pod.path("metadata").path("namespace").asText().equals(namespace) || !selects(service, pod.path("metadata").path("labels"))) {
                continue;
            }
            String ip = pod.path("status").path("podIP").asText("");
            String phase = pod.path("status").path("phase").asText("");
            if (ip.isEmpty() || phase.equals("Succeeded") || phase.equals("Failed")) {
                continue;
            }
            boolean terminating = pod.path("metadata").hasNonNull("deletionTimestamp");
            if (terminating && !publishNotReady && !includeTerminating) {
                continue;
            }
            boolean serving = isReady(pod);
            boolean ready = publishNotReady || (serving && !terminating);
            ArrayNode ports = ports(service, pod);
            if (ports == null) {
                continue; // asks for ports and the pod has none of them
            }
            String hostname = hostname(service, pod);
            groups.computeIfAbsent(ports.toString(), k -> new Group(ports, new ArrayList<>()))
                    .endpoints().add(new PodEndpoint(ip, pod, ports, ready, serving, terminating, hostname));
        }
        List<Group> sorted = new ArrayList<>();
        for (Group group : groups.values()) {
            List<PodEndpoint> endpoints = new ArrayList<>(group.endpoints());
            endpoints.sort(Comparator.comparing((PodEndpoint e) -> ipSortKey(e.ip())).thenComparing(e -> e.pod().path("metadata").path("name").asText()));
            sorted.add(new Group(group.ports(), endpoints));
        }
        return sorted;
    }

    private static String ipSortKey(String ip) {
        Integer value = Cidr.toInt(ip);
        return value == null ? ip : String.format("%010d", Integer.toUnsignedLong(value));
    }

    /**
     * The Service's ports as this pod serves them ({@code name}, {@code port} = the target port in
     * the pod, {@code protocol}, {@code appProtocol}); a named target port the pod lacks leaves that
     * port out; null when the Service has ports and the pod serves none of them.
     */
    static ArrayNode ports(JsonNode service, JsonNode pod) {
        ArrayNode ports = NODES.arrayNode();
        JsonNode servicePorts = service.path("spec").path("ports");
        for (JsonNode port : servicePorts) {
            String protocol = port.path("protocol").asText("TCP");
            JsonNode target = port.path("targetPort");
            int number;
            if (target.isMissingNode() || target.isNull()) {
                number = port.path("port").asInt();
            } else if (target.isInt() || target.asText().matches("\\d+")) {
                number = target.asInt();
            } else {
                number = containerPort(pod, target.asText(), protocol);
            }
            if (number <= 0) {
                continue;
            }
            ObjectNode endpointPort = ports.addObject();
            endpointPort.put("name", port.path("name").asText(""));
            endpointPort.put("port", number);
            endpointPort.put("protocol", protocol);
            if (port.hasNonNull("appProtocol")) {
                endpointPort.put("appProtocol", port.path("appProtocol").asText());
            }
        }
        return ports.isEmpty() && !servicePorts.isEmpty() ? null : ports;
    }

    /** The number of the container port named so (of the protocol), or 0. */
    static int containerPort(JsonNode pod, String name, String protocol) {
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode container : pod.path("spec").path(list)) {
                for (JsonNode port : container.path("ports")) {
                    if (name.equals(port.path("name").asText()) && protocol.equals(port.path("protocol").asText("TCP"))) {
                        return port.path("containerPort").asInt();
                    }
                }
            }
        }
        return 0;
    }

    /** A pod's hostname in the Service's DNS: its {@code hostname} when its {@code subdomain} is the Service's name. */
    static String hostname(JsonNode service, JsonNode pod) {
        String hostname = pod.path("spec").path("hostname").asText("");
        String subdomain = pod.path("spec").path("subdomain").asText("");
        return !hostname.isEmpty() && subdomain.equals(service.path("metadata").path("name").asText()) ? hostname : null;
    }

    private static ObjectNode targetRef(JsonNode pod) {
        ObjectNode ref = NODES.objectNode();
        ref.put("kind", "Pod").put("namespace", pod.path("metadata").path("namespace").asText())
                .put("name", pod.path("metadata").path("name").asText()).put("uid", pod.path("metadata").path("uid").asText());
        return ref;
    }

    /** The {@code subsets} of the Service's Endpoints object (possibly empty). */
    static ArrayNode subsets(JsonNode service, List<? extends JsonNode> pods) {
        ArrayNode subsets = NODES.arrayNode();
        for (Group group : groups(service, pods, false)) {
            ObjectNode subset = NODES.objectNode();
            ArrayNode ready = NODES.arrayNode();
            ArrayNode notReady = NODES.arrayNode();
            for (PodEndpoint endpoint : group.endpoints()) {
                ObjectNode address = NODES.objectNode().put("ip", endpoint.ip());
                if (endpoint.hostname() != null) {
                    address.put("hostname", endpoint.hostname());
                }
                String node = endpoint.pod().path("spec").path("nodeName").asText("");
                if (!node.isEmpty()) {
                    address.put("nodeName", node);
                }
                address.set("targetRef", targetRef(endpoint.pod()));
                (endpoint.ready() ? ready : notReady).add(address);
            }
            if (!ready.isEmpty()) {
                subset.set("addresses", ready);
            }
            if (!notReady.isEmpty()) {
                subset.set("notReadyAddresses", notReady);
            }
            ArrayNode ports = NODES.arrayNode();
            for (JsonNode port : group.ports()) {
                ObjectNode copy = port.deepCopy();
                if (copy.path("name").asText().isEmpty()) {
                    copy.remove("name");
                }
                ports.add(copy);
            }
            if (!ports.isEmpty()) {
                subset.set("ports", ports);
            }
            subsets.add(subset);
        }
        return subsets;
    }

    /**
     * The content of the Service's EndpointSlices: each {@code {ports, endpoints}} (no more than
     * {@link #MAX_PER_SLICE} endpoints), in a stable order; one empty slice when there is nothing,
     * as Kubernetes keeps a placeholder.
     */
    static List<ObjectNode> slices(JsonNode service, List<? extends JsonNode> pods) {
        List<ObjectNode> slices = new ArrayList<>();
        for (Group group : groups(service, pods, true)) {
            List<PodEndpoint> endpoints = group.endpoints();
            for (int from = 0; from < endpoints.size(); from += MAX_PER_SLICE) {
                ObjectNode slice = NODES.objectNode();
                slice.set("ports", group.ports().deepCopy());
                ArrayNode list = slice.putArray("endpoints");
                for (PodEndpoint endpoint : endpoints.subList(from, Math.min(endpoints.size(), from + MAX_PER_SLICE))) {
                    ObjectNode item = list.addObject();
                    item.putArray("addresses").add(endpoint.ip());
                    item.putObject("conditions").put("ready", endpoint.ready()).put("serving", endpoint.serving())
                            .put("terminating", endpoint.terminating());
                    if (endpoint.hostname() != null) {
                        item.put("hostname", endpoint.hostname());
                    }
                    String node = endpoint.pod().path("spec").path("nodeName").asText("");
                    if (!node.isEmpty()) {
                        item.put("nodeName", node);
                    }
                    item.set("targetRef", targetRef(endpoint.pod()));
                }
                slices.add(slice);
            }
        }
        if (slices.isEmpty()) {
            ObjectNode placeholder = NODES.objectNode();
            placeholder.putArray("ports");
            placeholder.putArray("endpoints");
            slices.add(placeholder);
        }
        return slices;
    }

    /**
     * The slices mirroring a user's Endpoints (a Service without a selector), as Kubernetes'
     * endpointslice-mirroring controller makes them: one per subset, not-ready addresses with
     * {@code ready: false}.
     */
    static List<ObjectNode> mirror(JsonNode endpoints) {
        List<ObjectNode> slices = new ArrayList<>();
        for (JsonNode subset : endpoints.path("subsets")) {
            ObjectNode slice = NODES.objectNode();
            ArrayNode ports = slice.putArray("ports");
            for (JsonNode port : subset.path("ports")) {
                ObjectNode copy = ports.addObject();
                copy.put("name", port.path("name").asText(""));
                copy.put("port", port.path("port").asInt());
                copy.put("protocol", port.path("protocol").asText("TCP"));
                if (port.hasNonNull("appProtocol")) {
                    copy.put("appProtocol", port.path("appProtocol").asText());
                }
            }
            ArrayNode list = slice.putArray("endpoints");
            for (String field : List.of("addresses", "notReadyAddresses")) {
                boolean ready = field.equals("addresses");
                for (JsonNode address : subset.path(field)) {
                    if (Cidr.toInt(address.path("ip").asText()) == null) {
                        continue; // IPv4 slices only
                    }
                    ObjectNode item = list.addObject();
                    item.putArray("addresses").add(address.path("ip").asText());
                    item.putObject("conditions").put("ready", ready).put("serving", ready).put("terminating", false);
                    for (String copied : List.of("hostname", "nodeName")) {
                        if (address.hasNonNull(copied)) {
                            item.put(copied, address.path(copied).asText());
                        }
                    }
                    if (address.has("targetRef")) {
                        item.set("targetRef", address.get("targetRef").deepCopy());
                    }
                }
            }
            slices.add(slice);
        }
        return slices;
    }
}
