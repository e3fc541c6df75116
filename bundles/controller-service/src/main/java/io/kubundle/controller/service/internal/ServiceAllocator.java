package io.kubundle.controller.service.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.admission.AdmissionInvalidException;
import io.kubundle.api.admission.AdmissionInvalidException.Cause;

/**
 * What kube-apiserver's Service storage does on create and update, on the Service's JSON: the
 * defaults of the dual-stack era ({@code ipFamilies}, {@code ipFamilyPolicy},
 * {@code internalTrafficPolicy}, ...), the ClusterIP (allocated, requested, {@code None}; kept on
 * update, never changed), and the node ports of NodePort and LoadBalancer Services. Refusals are
 * 422 Invalid with Kubernetes' field causes and words.
 */
final class ServiceAllocator {
    static final String CLUSTER_IP = "ClusterIP";
    static final String NODE_PORT = "NodePort";
    static final String LOAD_BALANCER = "LoadBalancer";
    static final String EXTERNAL_NAME = "ExternalName";
    static final String NONE = "None";

    private final ClusterIps clusterIps;
    private final NodePorts nodePorts;

    ServiceAllocator(ClusterIps clusterIps, NodePorts nodePorts) {
        this.clusterIps = clusterIps;
        this.nodePorts = nodePorts;
    }

    /**
     * Defaults and allocates in {@code service} (changed in place).
     *
     * @param old the stored Service on update, null on create
     */
    void admit(ObjectNode service, JsonNode old) throws Exception {
        ObjectNode spec = service.with("spec");
        Owner owner = new Owner(service.path("metadata").path("namespace").asText(), service.path("metadata").path("name").asText());
        String type = spec.path("type").asText(CLUSTER_IP);
        JsonNode oldSpec = old == null ? null : old.path("spec");
        List<Cause> causes = new ArrayList<>();
        if (type.equals(EXTERNAL_NAME)) {
            externalName(spec, oldSpec, causes);
        } else {
            clusterIp(owner, spec, oldSpec, type, causes);
        }
        String allocated = spec.path("clusterIP").asText("");
        boolean newIp = !allocated.isEmpty() && !allocated.equals(NONE) && (oldSpec == null || !allocated.equals(oldSpec.path("clusterIP").asText()));
        if (causes.isEmpty()) {
            nodePorts(owner, spec, oldSpec, type, causes);
        }
        if (!causes.isEmpty()) {
            if (newIp && !type.equals(EXTERNAL_NAME)) {
                clusterIps.releaseIfOwned(allocated, owner); // the write fails: its address goes back now, not at the next repair
            }
            throw new AdmissionInvalidException(causes);
        }
        defaults(spec, type);
    }

    /** ExternalName: no address, no families, no node ports; those left from an earlier type are dropped. */
    private static void externalName(ObjectNode spec, JsonNode oldSpec, List<Cause> causes) {
        String ip = spec.path("clusterIP").asText("");
        String oldIp = oldSpec == null ? "" : oldSpec.path("clusterIP").asText("");
        if (!ip.isEmpty() && !ip.equals(oldIp)) {
            causes.add(new Cause("FieldValueInvalid", "spec.clusterIPs", "Invalid value: []string{\"" + ip
                    + "\"}: must be empty for ExternalName services"));
            return;
        }
        for (String dropped : List.of("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy",
                "externalTrafficPolicy", "allocateLoadBalancerNodePorts", "healthCheckNodePort")) {
            spec.remove(dropped);
        }
        for (JsonNode port : spec.path("ports")) {
            ((ObjectNode) port).remove("nodePort");
        }
    }

    private void clusterIp(Owner owner, ObjectNode spec, JsonNode oldSpec, String type, List<Cause> causes) throws Exception {
        String requested = spec.path("clusterIP").asText("");
        String requestedFirst = spec.path("clusterIPs").path(0).asText("");
        if (!requested.isEmpty() && !requestedFirst.isEmpty() && !requested.equals(requestedFirst)) {
            causes.add(new Cause("FieldValueInvalid", "spec.clusterIPs", "Invalid value: " + ips(spec)
                    + ": first value must match `clusterIP`"));
            return;
        }
        if (requested.isEmpty()) {
            requested = requestedFirst;
        }
        String oldIp = oldSpec == null || oldSpec.path("type").asText().equals(EXTERNAL_NAME) ? "" : oldSpec.path("clusterIP").asText("");
        if (!oldIp.isEmpty()) {
            if (requested.isEmpty()) {
                setIp(spec, oldIp); // an update that left the address out keeps it, as kubectl replace expects
            } else if (!requested.equals(oldIp)) {
                causes.add(new Cause("FieldValueInvalid", "spec.clusterIPs[0]", "Invalid value: " + ips(spec) + ": may not change once set"));
                causes.add(new Cause("FieldValueInvalid", "spec.clusterIP", "Invalid value: \"" + requested + "\": field is immutable"));
            } else {
                setIp(spec, oldIp);
            }
            if (oldIp.equals(NONE) && !type.equals(CLUSTER_IP)) {
                causes.add(new Cause("FieldValueInvalid", "spec.clusterIPs[0]", "Invalid value: \"None\": may not be set to 'None' for "
                        + type + " services"));
            }
            return;
        }
        if (requested.equals(NONE)) {
            if (!type.equals(CLUSTER_IP)) {
                causes.add(new Cause("FieldValueInvalid", "spec.clusterIPs[0]", "Invalid value: \"None\": may not be set to 'None' for "
                        + type + " services"));
                return;
            }
            setIp(spec, NONE);
            return;
        }
        for (JsonNode family : spec.path("ipFamilies")) {
            if (!family.asText().equals("IPv4")) {
                causes.add(new Cause("FieldValueInvalid", "spec.ipFamilies[0]", "Invalid value: \"" + family.asText()
                        + "\": not configured on this cluster"));
                return;
            }
        }
        if (spec.path("clusterIPs").size() > 1 || "RequireDualStack".equals(spec.path("ipFamilyPolicy").asText())) {
            causes.add(new Cause("FieldValueInvalid", "spec.ipFamilyPolicy", "Invalid value: \"RequireDualStack\": this cluster is "
                    + "configured for single-stack IPv4"));
            return;
        }
        try {
            setIp(spec, clusterIps.allocate(owner, requested.isEmpty() ? null : requested));
        } catch (AllocationException e) {
            causes.add(new Cause("FieldValueInvalid", "spec.clusterIPs[0]", "Invalid value: " + (requested.isEmpty() ? "[]string{}"
                    : "[]string{\"" + requested + "\"}") + ": " + e.getMessage()));
        }
    }

    private static String ips(JsonNode spec) {
        List<String> values = new ArrayList<>();
        spec.path("clusterIPs").forEach(ip -> values.add("\"" + ip.asText() + "\""));
        if (values.isEmpty() && spec.has("clusterIP")) {
            values.add("\"" + spec.path("clusterIP").asText() + "\"");
        }
        return "[]string{" + String.join(", ", values) + "}";
    }

    private static void setIp(ObjectNode spec, String ip) {
        spec.put("clusterIP", ip);
        spec.putArray("clusterIPs").add(ip);
    }

    private void nodePorts(Owner owner, ObjectNode spec, JsonNode oldSpec, String type, List<Cause> causes) throws Exception {
        boolean wanted = type.equals(NODE_PORT) || type.equals(LOAD_BALANCER);
        boolean automatic = type.equals(NODE_PORT) || spec.path("allocateLoadBalancerNodePorts").asBoolean(true);
        Set<Integer> held = new HashSet<>();
        String oldType = oldSpec == null ? "" : oldSpec.path("type").asText(CLUSTER_IP);
        if (oldSpec != null && (oldType.equals(NODE_PORT) || oldType.equals(LOAD_BALANCER))) {
            for (JsonNode port : oldSpec.path("ports")) {
                if (port.path("nodePort").asInt(0) != 0) {
                    held.add(port.path("nodePort").asInt());
                }
            }
            if (oldSpec.path("healthCheckNodePort").asInt(0) != 0) {
                held.add(oldSpec.path("healthCheckNodePort").asInt());
            }
        }
        ArrayNode ports = spec.path("ports") instanceof ArrayNode list ? list : spec.putArray("ports");
        if (!wanted) {
            // a NodePort that becomes a ClusterIP loses its ports (the repair loop frees them); asking for one is forbidden
            for (int i = 0; i < ports.size(); i++) {
                ObjectNode port = (ObjectNode) ports.get(i);
                int nodePort = port.path("nodePort").asInt(0);
                if (nodePort != 0 && !held.contains(nodePort)) {
                    causes.add(new Cause("FieldValueForbidden", "spec.ports[" + i + "].nodePort",
                            "Forbidden: may not be used when `type` is '" + type + "'"));
                }
                port.remove("nodePort");
            }
            spec.remove("healthCheckNodePort");
            return;
        }
        List<NodePorts.Request> requests = new ArrayList<>();
        List<ObjectNode> targets = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            ObjectNode port = (ObjectNode) ports.get(i);
            int nodePort = port.path("nodePort").asInt(0);
            if (nodePort == 0 && oldSpec != null) {
                nodePort = oldNodePort(oldSpec, port, held); // an update that left it out keeps it
            }
            if (nodePort == 0 && !automatic) {
                port.remove("nodePort");
                continue;
            }
            requests.add(new NodePorts.Request("spec.ports[" + i + "].nodePort", nodePort));
            targets.add(port);
        }
        boolean healthCheck = type.equals(LOAD_BALANCER) && "Local".equals(spec.path("externalTrafficPolicy").asText());
        if (healthCheck) {
            int requested = spec.path("healthCheckNodePort").asInt(0);
            if (requested == 0 && oldSpec != null) {
                requested = oldSpec.path("healthCheckNodePort").asInt(0);
            }
            requests.add(new NodePorts.Request("spec.healthCheckNodePort", requested));
        } else {
            spec.remove("healthCheckNodePort");
        }
        if (requests.isEmpty()) {
            return;
        }
        try {
            List<Integer> given = nodePorts.allocate(owner, requests, held, Instant.now().truncatedTo(ChronoUnit.SECONDS));
            for (int i = 0; i < targets.size(); i++) {
                targets.get(i).put("nodePort", given.get(i));
            }
            if (healthCheck) {
                spec.put("healthCheckNodePort", given.get(given.size() - 1));
            }
        } catch (NodePorts.FieldException e) {
            causes.add(new Cause("FieldValueInvalid", e.field(), "Invalid value: " + e.value() + ": " + e.getMessage()));
        }
    }

    /** The node port the stored Service has for the same port (by port number and protocol). */
    private static int oldNodePort(JsonNode oldSpec, JsonNode port, Set<Integer> held) {
        for (JsonNode was : oldSpec.path("ports")) {
            if (was.path("port").asInt() == port.path("port").asInt()
                    && was.path("protocol").asText("TCP").equals(port.path("protocol").asText("TCP"))
                    && held.contains(was.path("nodePort").asInt(0))) {
                return was.path("nodePort").asInt();
            }
        }
        return 0;
    }

    /** Kubernetes' defaults for what a Service of the type has. */
    static void defaults(ObjectNode spec, String type) {
        if (type.equals(EXTERNAL_NAME)) {
            return;
        }
        if (!spec.has("ipFamilies") || spec.path("ipFamilies").isEmpty()) {
            spec.putArray("ipFamilies").add("IPv4");
        }
        if (!spec.has("ipFamilyPolicy")) {
            spec.put("ipFamilyPolicy", "SingleStack");
        }
        if (!spec.has("internalTrafficPolicy")) {
            spec.put("internalTrafficPolicy", "Cluster");
        }
        if (type.equals(NODE_PORT) || type.equals(LOAD_BALANCER)) {
            if (!spec.has("externalTrafficPolicy")) {
                spec.put("externalTrafficPolicy", "Cluster");
            }
        } else {
            spec.remove("externalTrafficPolicy");
        }
        if (type.equals(LOAD_BALANCER)) {
            if (!spec.has("allocateLoadBalancerNodePorts")) {
                spec.put("allocateLoadBalancerNodePorts", true);
            }
        } else {
            spec.remove("allocateLoadBalancerNodePorts");
        }
        if ("ClientIP".equals(spec.path("sessionAffinity").asText()) && !spec.path("sessionAffinityConfig").path("clientIP").has("timeoutSeconds")) {
            spec.with("sessionAffinityConfig").with("clientIP").put("timeoutSeconds", 10800);
        }
    }
}
